"""Matching development tools: the synthetic data generators and the training script.

uv run python -m tools.matching.train --help
"""
