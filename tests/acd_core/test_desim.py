"""The simulator drives the real router and agrees with queueing theory."""

from __future__ import annotations

from reports.desim import SimConfig, simulate, t_quantile, t_quantile_975
from reports.erlang import erlang_a, erlang_c


def test_t_quantile() -> None:
    assert abs(t_quantile_975(19) - 2.093) < 2e-3
    assert abs(t_quantile_975(5) - 2.571) < 5e-3
    assert abs(t_quantile(0.995, 19) - 2.861) < 5e-3
    assert abs(t_quantile(0.999, 19) - 3.579) < 2e-2


def test_mm_n_matches_erlang_c_within_the_confidence_interval() -> None:
    cfg = SimConfig(arrival_rate=0.85 * 10 / 180, aht=180, agents=10, duration_s=400_000,
                    warmup_s=5_000, seed=11)
    sim = simulate(cfg)
    theory = erlang_c(cfg.arrival_rate, cfg.aht, cfg.agents, cfg.target_s)
    assert sim.abandoned == 0 and sim.answered == sim.offered > 15_000
    assert sim.service_level.contains(theory.service_level), (sim.service_level, theory)
    assert sim.asa.contains(theory.asa), (sim.asa, theory)
    assert sim.p_wait.contains(theory.p_wait)


def test_patience_matches_erlang_a() -> None:
    cfg = SimConfig(arrival_rate=0.95 * 10 / 180, aht=180, agents=10, patience=90,
                    duration_s=400_000, seed=5)
    sim = simulate(cfg)
    theory = erlang_a(cfg.arrival_rate, cfg.aht, cfg.agents, cfg.patience or 0, cfg.target_s)
    assert sim.abandoned > 0
    assert sim.p_abandon.contains(theory.p_abandon), (sim.p_abandon, theory)
    assert sim.asa.contains(theory.asa), (sim.asa, theory)


def test_same_seed_same_result() -> None:
    cfg = SimConfig(arrival_rate=0.05, aht=100, agents=6, patience=60, duration_s=20_000, seed=3)
    assert simulate(cfg) == simulate(cfg)
