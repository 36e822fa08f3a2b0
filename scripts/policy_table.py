"""Print the access policy of every RPC as a Markdown table (docs/security.md
embeds it; a test keeps the two identical).

    python scripts/policy_table.py
"""

from __future__ import annotations

from zhongtai.auth import Role
from zhongtai.runtime import load_spec, service_names

ROLES = (Role.BUYER, Role.SELLER, Role.OPERATOR, Role.SERVICE)


def table() -> str:
    lines = ["| RPC | buyer | seller | operator | service | ownership |",
             "|---|---|---|---|---|---|"]
    for name in service_names():
        for service, policy in sorted(load_spec(name).policies.items()):
            short = service.rpartition(".")[2]
            for method, rule in policy.items():
                marks = " | ".join(("✓" if not rule.services or r is not Role.SERVICE
                                    else ", ".join(sorted(rule.services)))
                                   if r in rule.roles else "" for r in ROLES)
                lines.append(f"| `{short}.{method}` | {marks} | {rule.ownership} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
