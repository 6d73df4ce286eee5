"""The commands: the only code that reads arguments, prints, writes output files and picks exit codes.

cli.py parses the command line and calls one `cmd_*` function here with the arguments; each returns the
exit code. Everything below (check, plan, render, collect, telemetry, report) takes values and returns values.
"""
