"""The evaluations (`make eval`) and benchmarks (`make bench`) of every concern, run in this order.

Each entry is "module:function"; the function takes no argument, prints its own rich table and
returns a dict of headline figures (written to var/reports/<name>.json).
"""

EVALUATIONS: dict[str, str] = {
    "knowledge": "assistant.knowledge.evaluation:run",
    "escalation": "assistant.escalation.evaluation:run",
    "jobs": "assistant.jobs.evaluation:run",
    "jobs-titles": "assistant.jobs.catalogue_eval:run",
    "conversations": "assistant.dialogue.evaluation:run",
    "language": "assistant.language.evaluation:run",
    "scheduling": "assistant.scheduling.evaluation:run",
}
BENCHMARKS: dict[str, str] = {
    "knowledge": "assistant.knowledge.bench:run",
    "stack": "assistant.stack_bench:run",
    "jobs": "assistant.jobs.bench:run",
    "language": "assistant.language.bench:run",
    "journeys": "assistant.journeys.bench:run",
    "load": "assistant.load_bench:run",
    "faults": "assistant.fault_bench:run",
    "soak": "assistant.soak_bench:run",
    "profile": "assistant.profile_bench:run",
    "parsing": "assistant.candidates.bench:run",
    "scheduling": "assistant.scheduling.bench:run",
}
# Run only when named (`assistant bench profile`): py-spy must be allowed to attach to the processes.
ON_REQUEST: set[str] = {"profile"}
