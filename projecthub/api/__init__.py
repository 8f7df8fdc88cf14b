"""REST API v1: FastAPI routers over the services, mounted on the Reflex backend."""
