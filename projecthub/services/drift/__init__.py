"""Drift: where a tool no longer matches what ProjectHub says about a project (docs/architecture.md
§13). ``reality`` reads the tools, ``compare`` finds the differences, ``records`` keeps them,
``resolve`` puts them right either way."""
