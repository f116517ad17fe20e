"""Precise services (精准服务): service modules from residents' demand, projects, forecasts."""
