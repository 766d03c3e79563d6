"""Model instances read by plain SQL, for a path where the ORM's building of each SELECT
(or a raw queryset's mapping of its columns, redone on every read) is a cost of its own:
the portal's answer (docs/benchmarks.md, "Answer path").

The SELECT list begins with `model_columns(model, alias)`; columns of the statement's
own may follow. Each value is converted as the ORM converts it (dates on SQLite, JSON),
by converters looked up once per process.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

# Per database alias and model: the fields' attribute names, and the converters of each
# field that has any.
_LOADS: dict[tuple[str, type[Model]], tuple[list[str], list[tuple]]] = {}


def model_columns(model: type[Model], alias: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """The SELECT list of `model`'s columns, in the order read_rows reads them."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def read_rows(
    model: type[Model], sql: str, params: list, *, using: str = DEFAULT_DB_ALIAS
) -> list[tuple[Model, tuple]]:
    """Each row of `sql` as an instance of `model` (as the ORM loads it), with the values
    of the columns that follow the model's own."""
    connection = connections[using]
    key = (using, model)
    if key not in _LOADS:
        fields = model._meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, found, column))
        _LOADS[key] = ([f.attname for f in fields], converters)
    names, converters = _LOADS[key]
    width = len(names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    loaded = []
    for row in rows:
        values = list(row[:width])
        for position, found, column in converters:
            value = values[position]
            for convert in found:
                value = convert(value, column, connection)
            values[position] = value
        loaded.append((model.from_db(using, names, values), row[width:]))
    return loaded
