"""The finance screens (issue 7): parameters per regio per year, the verevening runs and the
dashboard. Each module keeps its own routes; ``financien.urls`` joins them."""
