"""REST API over ``medrag_core.workflow.verify.verify``, compatible with the original MedRAG backend."""
