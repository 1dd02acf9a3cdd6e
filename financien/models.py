# Budgets, verdeelmodel and the verevening arrive with the financiën issue.
