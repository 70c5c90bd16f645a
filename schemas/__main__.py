"""`python -m schemas` rewrites the JSON Schema files in schemas/json/."""

from schemas import write_json_schemas

for path in write_json_schemas():
    print(path.name)
