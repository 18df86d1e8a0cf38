"""Pure plan rules: no AWS, no clock, no I/O. Dates in, decisions out."""
