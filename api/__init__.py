"""REST API over ``medrag_core.workflow.verify``, compatible with the original MedRAG backend."""
