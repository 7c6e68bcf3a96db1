"""Marshmallow request/response shapes; validation happens only at the boundary."""
