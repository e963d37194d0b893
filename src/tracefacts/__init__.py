"""tracefacts: a fact base whose every quote is proven against its source."""

__version__ = "0.1.0"
