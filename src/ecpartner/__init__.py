"""ecpartner: capacity, compliance and telemetry validator for Express Connect partners."""

__version__ = "0.1.0"
