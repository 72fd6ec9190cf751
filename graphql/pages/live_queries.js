
// The /live_trading page's GraphQL documents. Shared with bench/graphql.ts, which
// times MAIN_QUERY exactly as the page sends it.

const BASE_FIELDS = `
  rowId symbol kind status reason createdAt openedAt closedAt horizonMin pnlHat winProb
  legShortExchange legLongExchange notionalUsdt entrySpread recheck
  liveTradeExitBySignalId { reason requestedAt closedAt realizedPnlUsdt realizedPnlFrac }
`;
// the newest sample is one index probe (signal_id, ts desc) per trade
const LIVE_FIELDS = `${BASE_FIELDS} heldSeconds takeProfitPnl takeProfitSpread latestSample { ts spread pnlEst fundingAccrued }`;

export const MAIN_QUERY = `
query LivePage {
  viewerRole
  active: allLiveTradeSignals(
    filter: { isActive: { equalTo: true } }
    orderBy: CREATED_AT_DESC, first: 50
  ) { nodes { ${LIVE_FIELDS} } }
  recentSignals: allLiveTradeSignals(orderBy: CREATED_AT_DESC, first: 30) {
    totalCount
    nodes { rowId eventId createdAt symbol kind status reason pnlHat winProb horizonMin legShortExchange legLongExchange }
  }
  closed: allLiveTradeSignals(
    filter: { isFinished: { equalTo: true } }
    orderBy: CREATED_AT_DESC, first: 10
  ) { nodes { ${BASE_FIELDS} } }
  orders: allLiveTradeOrders(orderBy: ROW_ID_DESC, first: 30) {
    nodes {
      rowId signalId manualOrderId leg purpose exchange symbol side reduceOnly amount notionalUsdt status
      filledQty avgPrice fee feeCurrency exchangeOrderId clientOrderId submittedAt updatedAt error
    }
  }
  manualOrders: allManualOrders(orderBy: ROW_ID_DESC, first: 15) {
    nodes { rowId createdAt actor venue symbol action notionalUsdt status error orderId }
  }
  positions: allVenuePositions(orderBy: PRIMARY_KEY_ASC, first: 200) {
    nodes { venue symbol sizeBase entryPrice unrealizedPnl fetchedAt }
  }
  expected: allVExpectedPositions(first: 200) { nodes { venue symbol expectedSizeBase } }
  health: allVenueHealths(orderBy: PRIMARY_KEY_ASC, first: 50) {
    nodes { venue status consecutiveErrors backoffUntil lastOkAt lastErrorAt lastError }
  }
  errors: allLiveTradeErrors(orderBy: TS_DESC, first: 20) {
    nodes { rowId ts signalId stage venue errorClass message }
  }
  killSwitch: strategyConfigByKey(key: "kill_switch") { value updatedAt updatedBy }
  venues: strategyConfigByKey(key: "trade.venues") { value }
  venueModes: allVenueModes(orderBy: PRIMARY_KEY_ASC, first: 50) { nodes { venue mode marketsLoaded } }
  attach: strategyConfigByKey(key: "ingest.attach") { value }
}`;

/** the samples of a set of trades, one aliased field each (newest first, a day at most) */
export function samplesQuery(ids) {
  const parts = ids.map(
    (id) => `t${id}: allLiveTradeSpreadSamples(filter: { signalId: { equalTo: "${String(id).replace(/\D/g, '')}" } }, orderBy: TS_DESC, first: 1440) {
      nodes { ts spread pnlEst takeProfitSpread }
    }`,
  );
  return `query TradeSamples { ${parts.join('\n')} }`;
}

export const LIVE_SUBSCRIPTION = `subscription { liveTrade { type signalId status payload } }`;
export const ERROR_SUBSCRIPTION = `subscription { liveTradeError { errorId signalId stage venue } }`;

export const MANUAL_TRADE = `mutation ManualTrade($venue: String!, $symbol: String!, $action: String!, $notional: BigFloat!) {
  manualTrade(input: { pVenue: $venue, pSymbol: $symbol, pAction: $action, pNotionalUsdt: $notional }) { result }
}`;
export const REQUEST_CLOSE = `mutation RequestClose($id: BigInt!) { requestClose(input: { pSignalId: $id, pReason: "manual" }) { result } }`;
export const SET_KILL_SWITCH = `mutation SetKillSwitch($level: Int!, $note: String) { setKillSwitch(input: { pLevel: $level, pNote: $note }) { result } }`;
