"""Package data: demo content, default prompts, built-in assistants, translations.

Read with ``importlib.resources.files("inkbench.assets")``, never by a path
relative to the source tree, so an installed wheel finds it too.
"""
