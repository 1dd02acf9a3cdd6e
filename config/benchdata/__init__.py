"""The national-scale benchmark of issue 10: data generator (generate), measurements (measure),
a small closed-loop HTTP load tool (load) and the bench database (database)."""
