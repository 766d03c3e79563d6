"""Set-based writes the ORM has no verb for: INSERT … SELECT, and UPDATE … RETURNING;
one row inserted from a statement written once per process (`insert_one`); and one
statement run with its parameters bound apart (`execute_bound`).

The sweep writes a timeline event and an outbox row for each of hundreds of requests at
once. Building them in Python (a model instance each, then bulk_create) costs more than
the database's own work; letting the database build the rows from a SELECT over the
requests costs one statement. The SELECT is an ordinary queryset, so joins, Case/When,
Concat and JSONObject compile for every backend we run on (PostgreSQL, SQLite).
"""

from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.lookups import In
from django.db.models.sql import UpdateQuery


def insert_select(
    model: type[Model], *, source: QuerySet, columns: dict, ignore_conflicts: bool = False
) -> list[int]:
    """INSERT INTO model's table the rows of `source`, one per source row; `columns` maps
    each of model's fields to an expression over `source`. With `ignore_conflicts`, a row
    that would break a unique constraint is skipped. Returns the new rows' ids."""
    opts = model._meta
    # Aliases of our own: an annotation may not share a name with a field of the source.
    aliases = {f"insert_{name}": expression for name, expression in columns.items()}
    select = source.order_by().values(**aliases)
    query = select.query
    # Django 5.2 keeps values() in the order given; the column list relies on it.
    assert list(query.selected) == list(aliases), "select order differs from column order"
    db = select.db
    connection = connections[db]
    sql, params = query.get_compiler(db).as_sql()
    quote = connection.ops.quote_name
    target = ", ".join(quote(opts.get_field(name).column) for name in columns)
    statement = f"INSERT INTO {quote(opts.db_table)} ({target}) {sql}"
    if ignore_conflicts:
        statement += " ON CONFLICT DO NOTHING"
    statement += f" RETURNING {quote(opts.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [row[0] for row in cursor.fetchall()]


# The INSERT of each model, by database alias, model and fields set by the database's clock:
# written on first use.
_INSERTS: dict[tuple, tuple[str, list]] = {}


def insert_one(
    instance: Model, *, using: str = DEFAULT_DB_ALIAS, database_now: dict | None = None
) -> Model:
    """`instance.save()` for a new row whose fields hold plain values, on a path where the
    ORM's building of the INSERT each time is a cost of its own (the portal's answer). The
    statement is written once per process; the values are prepared by each field as the
    ORM would. `database_now`: fields set to the database's statement time plus an offset
    (a timedelta, or None for none) instead of the instance's value; PostgreSQL only. No
    save signals are sent (the project has none)."""
    model = type(instance)
    connection = connections[using]
    timed = tuple(database_now or ())
    key = (using, model, timed)
    if key not in _INSERTS:
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        values = [("STATEMENT_TIMESTAMP() + %s" if f.name in timed else "%s") for f in fields]
        _INSERTS[key] = (
            f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)})"
            f" VALUES ({', '.join(values)}) RETURNING {quote(opts.pk.column)}",
            fields,
        )
    sql, fields = _INSERTS[key]
    params = [
        (database_now[f.name] or timedelta(0))
        if f.name in timed
        else f.get_db_prep_save(f.pre_save(instance, True), connection)
        for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, using
    return instance


def update_returning(queryset: QuerySet, *, returning: tuple[str, ...], **values) -> list[tuple]:
    """`queryset.update(**values)` that also says which rows it changed: the `returning`
    fields of each, as they are after the update. A claim of many rows in one statement
    needs to know which of them it won."""
    query = queryset.order_by().query.chain(UpdateQuery)
    query.add_update_values(values)
    # One table only: an update that spans tables runs as several statements.
    assert not query.related_updates, "update_returning updates one table"
    db = queryset.db
    connection = connections[db]
    sql, params = query.get_compiler(db).as_sql()
    opts = queryset.model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(opts.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {columns}", params)
        return cursor.fetchall()


class AnyOf(In):
    """`field IN (ids)`, written `field = ANY(%s)` with one array parameter on PostgreSQL:
    a batch's thousand ids are one parameter instead of a thousand placeholders for the
    driver to interpolate into every statement. Use it as a filter: AnyOf(F("pk"), ids)."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def execute_bound(sql: str, params: list, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Run one statement and return how many rows it touched. On PostgreSQL its
    parameters travel apart from the statement (server-side binding): the ORM's cursors
    bind on the client, quoting every value into the SQL, which for a row carrying a
    message's whole text is a cost of its own. SQLite (and anything else) runs it on the
    ORM's cursor. Not prepared: a pooler in transaction mode could not keep that."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    from psycopg import Cursor as ServerBindingCursor

    connection.ensure_connection()
    # Wrapped as the ORM wraps its own cursors: errors become Django's, and the debug
    # log and the tests' query capture see the statement.
    with connection._prepare_cursor(ServerBindingCursor(connection.connection)) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
