"""charter: the rules of a work chat group, written when it is founded."""

__version__ = "0.1.0"
