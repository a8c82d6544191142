"""Two facet types Datasette lacks: calendar months of an ISO date column, and values of a child table.

- ``{"month": "published_at"}`` counts rows per ``YYYY-MM`` (latest month first); choosing a month
  filters with Datasette's own ``published_at__startswith=YYYY-MM``.
- ``{"through": "article_tags.tag"}`` counts the rows of the child table `article_tags` (joined by its
  foreign key to the faceted table) per `tag`; choosing a tag filters with Datasette's own
  ``_through={"table": "article_tags", "column": "tag", "value": …}``.

Both are registered through the documented `register_facet_classes` hook and follow the result shape
of Datasette's built-in facets, so its templates and JSON API show them like any other facet.
"""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class GroupedFacet(Facet):
    """A facet whose values come from `facet_sql` and whose choice is the query-string pair `filter_arg`."""

    async def facet_sql(self, config: dict, limit: int) -> str:
        raise NotImplementedError

    def filter_arg(self, config: dict, value: str) -> tuple[str, str]:
        raise NotImplementedError

    async def facet_results(self):
        results, timed_out = [], []
        chosen = set(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            name = config["simple"]
            try:
                rows = await self.ds.execute(
                    self.database, await self.facet_sql(config, size + 1), self.params,
                    truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(name)
                continue
            values = []
            for row in rows.rows[:size]:
                key, arg = self.filter_arg(config, row["value"])
                selected = (key, arg) in chosen
                path = (path_with_removed_args(self.request, {key: arg}) if selected
                        else path_with_added_args(self.request, {key: arg}))
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, path), "selected": selected})
            results.append({
                "name": name, "type": self.type, "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {f"_facet_{self.type}": name}),
                "truncated": len(rows.rows) > size,
            })
        return results, timed_out


class MonthFacet(GroupedFacet):
    """Rows per calendar month of an ISO 8601 date column."""

    type = "month"

    async def facet_sql(self, config: dict, limit: int) -> str:
        month = f"substr({escape_sqlite(config['simple'])}, 1, 7)"
        return (f"select {month} as value, count(*) as count from ({self.sql}) "
                f"where {month} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]' "
                f"group by value order by value desc limit {limit}")

    def filter_arg(self, config: dict, value: str) -> tuple[str, str]:
        return f"{config['simple']}__startswith", value


class ThroughFacet(GroupedFacet):
    """Rows per value of a column of a child table that points to the faceted table."""

    type = "through"

    async def facet_sql(self, config: dict, limit: int) -> str:
        child, column = config["simple"].split(".", 1)
        link = await self._link_to_table(child)
        return (f"select {escape_sqlite(column)} as value, count(*) as count from {escape_sqlite(child)} "
                f"where {escape_sqlite(link['column'])} in "
                f"(select {escape_sqlite(link['other_column'])} from ({self.sql})) "
                f"group by value order by count desc, value limit {limit}")

    def filter_arg(self, config: dict, value: str) -> tuple[str, str]:
        child, column = config["simple"].split(".", 1)
        return "_through", json.dumps({"table": child, "column": column, "value": value}, ensure_ascii=False)

    async def _link_to_table(self, child: str) -> dict:
        """The foreign key of `child` to the faceted table, as `_through` itself finds it."""
        foreign_keys = await self.ds.get_database(self.database).foreign_keys_for_table(child)
        return next(fk for fk in foreign_keys if fk["other_table"] == self.table)


@hookimpl
def register_facet_classes():
    return [MonthFacet, ThroughFacet]
