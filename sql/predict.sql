-- Linear PnL prediction per (signal type, horizon) and its normal-tail win probability.
-- Owns: watchlist.norm_cdf, watchlist.predict_bc, and the prior rows of
--       watchlist.pnl_model (inserted only where no row for the (type, horizon) exists;
--       the factors they name are declared in sql/factors.sql).

-- Standard normal CDF Φ(x). Hart (1968) algorithm 5666 as given by G. West,
-- "Better approximations to cumulative normal functions" (Wilmott, 2005): a
-- rational approximation for |x| < 7.071 and a continued fraction beyond;
-- absolute error about 1e-14 and small relative error in both tails, so
-- 1 - Φ is computed as Φ(-x), never by cancellation.
create or replace function watchlist.norm_cdf(x double precision) returns double precision
language plpgsql immutable strict parallel safe as $$
declare
  a double precision := abs(x);
  e double precision;
  num double precision;
  den double precision;
  c double precision;  -- Φ(-|x|)
begin
  if x = 'NaN'::float8 then
    return 'NaN'::float8;
  end if;
  if a > 37 then
    c := 0;
  else
    e := exp(-a * a / 2);
    if a < 7.07106781186547 then
      num := 3.52624965998911e-02 * a + 0.700383064443688;
      num := num * a + 6.37396220353165;
      num := num * a + 33.912866078383;
      num := num * a + 112.079291497871;
      num := num * a + 221.213596169931;
      num := num * a + 220.206867912376;
      den := 8.83883476483184e-02 * a + 1.75566716318264;
      den := den * a + 16.064177579207;
      den := den * a + 86.7807322029461;
      den := den * a + 296.564248779674;
      den := den * a + 637.333633378831;
      den := den * a + 793.826512519948;
      den := den * a + 440.413735824752;
      c := e * num / den;
    else
      den := a + 0.65;
      den := a + 4 / den;
      den := a + 3 / den;
      den := a + 2 / den;
      den := a + 1 / den;
      c := e / den / 2.506628274631;
    end if;
  end if;
  return case when x > 0 then 1 - c else c end;
end $$;

-- pnl_hat = intercept + Σ coef_k × factor_k over the keys of the ACTIVE model's coefs;
-- win_prob = P(pnl > fee_threshold) under Normal(pnl_hat, resid_std)
--          = Φ((pnl_hat − fee_threshold) / resid_std), mapped through the model's
-- out-of-sample calibration bins when it has them (fitted models; priors have none).
-- A factor the model needs that is absent, JSON null, not a JSON number, or not
-- finite gives NULL pnl_hat/win_prob and a reason; so does a missing model.
create or replace function watchlist.predict_bc(
  p_signal_type text, p_horizon_min int, p_factors jsonb,
  out pnl_hat double precision, out win_prob double precision,
  out model_version text, out reason text)
language plpgsql stable parallel safe as $$
declare
  m watchlist.pnl_model;
  k text;
  c jsonb;
  v jsonb;
  n numeric;
  f double precision;
  acc double precision;
begin
  select * into m from watchlist.pnl_model
  where signal_type = p_signal_type and horizon_min = p_horizon_min and active
  order by fitted_at desc, id desc limit 1;
  if not found then
    reason := format('no_active_model:%s/%s', p_signal_type, p_horizon_min);
    return;
  end if;
  model_version := m.version;
  acc := m.intercept;
  for k, c in select key, value from jsonb_each(m.coefs) order by key loop
    v := p_factors -> k;
    if v is null or jsonb_typeof(v) = 'null' then
      reason := 'missing_factor:' || k;
      return;
    elsif jsonb_typeof(v) <> 'number' then
      reason := 'non_numeric_factor:' || k;
      return;
    end if;
    -- jsonb numbers are finite but may exceed float8's range
    n := (v #>> '{}')::numeric;
    if abs(n) > 1e300 then
      reason := 'non_finite_factor:' || k;
      return;
    end if;
    f := case when abs(n) < 1e-300 then 0 else n::double precision end;
    if jsonb_typeof(c) <> 'number' then
      reason := 'bad_model_coef:' || k;
      return;
    end if;
    acc := acc + (c #>> '{}')::double precision * f;
  end loop;
  if acc in ('Infinity'::float8, '-Infinity'::float8) or acc = 'NaN'::float8 then
    reason := 'non_finite_prediction';
    return;
  end if;
  pnl_hat := acc;
  -- a fitted model carries its out-of-sample calibration (sql/research.sql)
  win_prob := watchlist.calibrated_win_prob(m.calibration, acc, watchlist.norm_cdf((acc - m.fee_threshold) / m.resid_std));
end $$;

-- Priors, so the loop runs on a fresh install before any model is fitted.
-- Factor units: spreads are fractions (0.02 = 2%), raw_slope_3m is the change of
-- the oriented log spread per minute, raw_crossings_1h a count, raw_drift_ratio in [0, 1].
-- Idea: a dislocation closes most of the way within hours, so pnl_hat ≈ β × entry
-- spread with β split over the two spread measures (β = 0.6 / 0.7 / 0.8 at
-- 60 / 240 / 480 min); a clean fresh move (high drift ratio, few mean crossings)
-- adds a little, a noisy pair (many crossings) loses a little, a spread still
-- widening (positive slope) loses a little; intercept −0.001 for costs.
-- Check at 240: entry 2% (drift 0.8, 2 crossings) → pnl_hat ≈ 0.0142 (71%),
-- win_prob = Φ((0.0142 − 0.001)/0.006) ≈ 0.986; entry 4% → 0.0282, ≈ 1.0;
-- entry 1.5% → 0.0107 (below the 0.013 gate); entry 0.5% → 0.0037, win_prob ≈ 0.67.
insert into watchlist.pnl_model (signal_type, horizon_min, version, intercept, coefs, resid_std, fee_threshold, is_prior, active, notes)
select 'B', h.horizon, 'prior-2025-12', -0.001,
  jsonb_build_object(
    'spread_log_short_over_long', h.beta / 2,
    'raw_best_buy_high_sell_low', h.beta / 2,
    'raw_drift_ratio', 0.002,
    'raw_crossings_1h', -0.0002,
    'raw_slope_3m', -0.1),
  h.resid_std, 0.001, true, true,
  'PRIOR, not fitted: pnl_hat ≈ ' || h.beta || ' × entry spread + small shape terms; '
  || 'resid_std chosen by hand. Replace with a fitted model (is_prior = false) once outcomes exist.'
from (values (60, 0.6, 0.005), (240, 0.7, 0.006), (480, 0.8, 0.007)) h(horizon, beta, resid_std)
where not exists (select 1 from watchlist.pnl_model m where m.signal_type = 'B' and m.horizon_min = h.horizon);

-- The priors name only factors their type declares (sql/factors.sql, applied before this file).
do $$
begin
  if exists (select 1 from watchlist.pnl_model m, jsonb_object_keys(m.coefs) k
             where m.is_prior and not k = any (watchlist.signal_factor_names(m.signal_type::text))) then
    raise exception 'a prior pnl_model row names a factor sql/factors.sql does not declare';
  end if;
end $$;
