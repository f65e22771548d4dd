"""Ingest engines beyond the local one (``etl.run_ingest``): the Ray Data pipeline.

``run_ingest_ray`` takes the same sources and settings and writes the same records with the same
resume semantics as the local engine; Ray itself is imported only when it runs.
"""

from .ray_data import RayPlan, plan_stages, ray_model_problem, run_ingest_ray

ENGINES = ("local", "ray")

__all__ = ["ENGINES", "RayPlan", "plan_stages", "ray_model_problem", "run_ingest_ray"]
