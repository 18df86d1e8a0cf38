"""stockplan: runs the CTC 1998 Incentive Plan and the 1999 Directors Plan."""
