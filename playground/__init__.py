"""Prompt Playground: compare OpenRouter models side by side."""

__version__ = "0.1.0"
APP_NAME = "Prompt Playground"
APP_ID = "prompt-playground"
APP_URL = "https://github.com/prompt-playground/prompt-playground"
