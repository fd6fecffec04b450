package db

import "context"

// CountRows counts the rows of an outbox table, so that tests can see what a write stored.
func CountRows(s *Store, table string) (int, error) {
	switch table {
	case "outbox_notices", "outbox_deliveries", "outbox_attempts":
	default:
		panic("CountRows: not an outbox table: " + table)
	}
	return scanCount(s.queryRow(context.Background(), `SELECT COUNT(*) FROM `+table))
}

// Outbox query texts, for the plan checks.
var (
	ClaimDeliveriesSQLite = claimDeliveriesSQLs[DialectSQLite]
	ListDeliveriesSQL     = listDeliveriesSQLs[0]
	ListDeliveriesBySQL   = listDeliveriesSQLs[1]
	ListWebhooksSQL       = listWebhooksSQL
	DeliveryAttemptsSQL   = deliveryAttemptsSQL
)
