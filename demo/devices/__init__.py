"""Simulated devices of the demo street: their registers, a replay of their traffic, and the
situations planted in it (truth.py). Imports nothing of the hub."""
