package db

import (
	"context"
	"fmt"

	"github.com/agentgate/agentgate"
)

// Similar requests: the newest `window` requests for the action before the one at hand (the
// action index read backwards, so the cost is bounded however busy the action is), of which
// those by the same creator. The creator is its key's id when recorded, else its name.
const (
	similarRequestsSQL = `SELECT ` + requestColumns + ` FROM (
		SELECT ` + requestColumns + ` FROM requests WHERE action = ? AND created_at < ?
		ORDER BY created_at DESC, id DESC LIMIT ?) AS recent`
	similarByIDCond   = ` WHERE created_by_id = ?`
	similarByNameCond = ` WHERE created_by = ?`
	similarOrder      = ` ORDER BY created_at DESC, id DESC LIMIT ?`
)

// SimilarRequests returns up to limit requests for r's action by r's creator created before
// r, newest first, among the newest window requests for that action.
func (s *Store) SimilarRequests(ctx context.Context, r *agentgate.Request, limit, window int) ([]agentgate.Request, error) {
	query, creator := similarRequestsSQL+similarByIDCond+similarOrder, r.CreatedByID
	if creator == "" {
		query, creator = similarRequestsSQL+similarByNameCond+similarOrder, r.CreatedBy
	}
	list, err := queryAll(ctx, s, limit, scanRequest, query, r.Action, toMicros(r.CreatedAt), window, creator, limit)
	if err != nil {
		return nil, fmt.Errorf("similar requests: %w", err)
	}
	return list, nil
}
