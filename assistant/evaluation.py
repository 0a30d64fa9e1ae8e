"""The evaluations (`make eval`) and benchmarks (`make bench`) of every concern, run in this order.

Each entry is "module:function"; the function takes no argument, prints its own rich table and
returns a dict of headline figures (written to var/reports/<name>.json).
"""

EVALUATIONS: dict[str, str] = {
    "knowledge": "assistant.knowledge.evaluation:run",
    "escalation": "assistant.escalation.evaluation:run",
    "jobs": "assistant.jobs.evaluation:run",
    "scheduling": "assistant.scheduling.evaluation:run",
}
BENCHMARKS: dict[str, str] = {
    "knowledge": "assistant.knowledge.bench:run",
    "stack": "assistant.stack_bench:run",
    "jobs": "assistant.jobs.bench:run",
    "scheduling": "assistant.scheduling.bench:run",
}
