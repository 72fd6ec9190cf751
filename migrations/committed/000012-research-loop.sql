--! Previous: sha1:0e4924d2209ca51a9656d493fd015d5fa7d33137
--! Hash: sha1:97fc538dc520eb772ee093f2a2d390c1945f471d
--! Message: research-loop

-- Issue 11, items 3-5: fitted models, their activation audit, and stored IC reports.
-- future_outcome: the outcome components (also added by the outcome worker's migration
--   000016; repeated here with `if not exists` so either order applies).
-- pnl_model: each fit is a versioned row with its training window, OOS metrics and the
--   out-of-sample calibration table predict_bc maps win_prob through.
-- pnl_model_activation: who activated which version when, and why (the audit).
-- research_report: the latest `wl report ic` results, for the /research page.

alter table watchlist.future_outcome
  add column if not exists pnl_spread double precision,
  add column if not exists pnl_funding double precision,
  add column if not exists pnl_total double precision;

alter table watchlist.pnl_model
  add column if not exists fit_status text not null default 'ok',
  add column if not exists train_from timestamptz,
  add column if not exists train_to timestamptz,
  add column if not exists n_test integer,
  add column if not exists oos_r2 double precision,
  add column if not exists oos_ic double precision,
  add column if not exists calib_error double precision,
  add column if not exists calibration jsonb,
  add column if not exists folds jsonb,
  add column if not exists params jsonb;
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'pnl_model_fit_status_check') then
    alter table watchlist.pnl_model add constraint pnl_model_fit_status_check
      check (fit_status in ('ok', 'too_thin'));
  end if;
  -- a fit too thin to trust can be recorded but never become the active model
  if not exists (select 1 from pg_constraint where conname = 'pnl_model_active_ok_check') then
    alter table watchlist.pnl_model add constraint pnl_model_active_ok_check
      check (not active or fit_status = 'ok');
  end if;
end $$;
create unique index if not exists pnl_model_version_key on watchlist.pnl_model (signal_type, horizon_min, version);

create table if not exists watchlist.pnl_model_activation (
  id           bigserial primary key,
  at           timestamptz not null default now(),
  signal_type  char(1) not null,
  horizon_min  integer not null,
  from_version text,
  to_version   text not null,
  actor        text not null,
  reason       text not null
);
create index if not exists pnl_model_activation_at_idx on watchlist.pnl_model_activation (at desc);

create table if not exists watchlist.research_report (
  id          bigserial primary key,
  created_at  timestamptz not null default now(),
  params      jsonb not null,
  summary     jsonb not null,
  markdown    text not null,
  charts      jsonb not null default '{}'::jsonb
);
create index if not exists research_report_created_idx on watchlist.research_report (created_at desc);
