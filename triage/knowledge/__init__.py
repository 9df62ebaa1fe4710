"""The knowledge base from its files: YAML read with positions (yaml_reader, located), checked
against the schema (schema), built into the model and cross-checked (build, items), guarded
against packs that weaken a red flag (protect), and kept for the next run (cache, snapshot);
loading runs them in order. What the rest of the tool uses is `loading.load`."""
