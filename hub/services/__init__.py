"""Precise services (精准服务): catalogue, demand, projects and surveys per community."""
