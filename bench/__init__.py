"""Load-test harness: ghz configs, a seed step and a Python stand-in for ghz.

    python -m bench.seed --host 127.0.0.1:50051
    python -m bench.ghz_runner --config bench/ghz/create_order.json
    bench/run.sh

See docs/benchmarks.md.
"""
