package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/agentgate/agentgate"
)

// TopicPeople is announced when a person is created, changed or deleted; id is empty.
const TopicPeople = "people"

// personColumns are the columns every person query reads, in scanPerson's order.
const personColumns = `id, name, email, slack_user_id, discord_user_id, group_names, created_at,
	updated_at, deleted_at`

const (
	livePeopleSQL   = `SELECT ` + personColumns + ` FROM people WHERE deleted_at IS NULL ORDER BY name_key, id`
	listPeopleSQL   = livePeopleSQL + pageSuffix
	countPeopleSQL  = `SELECT COUNT(*) FROM people WHERE deleted_at IS NULL`
	getPersonSQL    = `SELECT ` + personColumns + ` FROM people WHERE id = ?`
	insertPersonSQL = `INSERT INTO people (` + personColumns + `, name_key, email_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updatePersonSQL = `UPDATE people SET name = ?, email = ?, slack_user_id = ?, discord_user_id = ?, group_names = ?,
		updated_at = ?, name_key = ?, email_key = ? WHERE id = ? AND deleted_at IS NULL`
	deletePersonSQL  = `UPDATE people SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`
	detachKeysSQL    = `UPDATE api_keys SET person_id = NULL WHERE person_id = ?`
	livePersonSQL    = `SELECT COUNT(*) FROM people WHERE id = ? AND deleted_at IS NULL`
	maxPeopleListCap = 64
)

// AllPeople returns every person not deleted, by name.
func (s *Store) AllPeople(ctx context.Context) ([]agentgate.Person, error) {
	out, err := queryAll(ctx, s, 0, scanPerson, livePeopleSQL)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	return out, nil
}

// ListPeople returns one page of the people not deleted, by name, and their number.
func (s *Store) ListPeople(ctx context.Context, p agentgate.Page) ([]agentgate.Person, int, error) {
	limit, offset := pageBounds(p)
	out, err := queryAll(ctx, s, min(limit, maxPeopleListCap), scanPerson, listPeopleSQL, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	total, err := s.count(ctx, countPeopleSQL, nil, len(out), offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("count people: %w", err)
	}
	return out, total, nil
}

// GetPerson returns the person with that id, deleted or not, or an error wrapping
// agentgate.ErrNotFound.
func (s *Store) GetPerson(ctx context.Context, id string) (*agentgate.Person, error) {
	return getOne(ctx, s, "get person", func() error { return notFound("person", id) }, scanPerson, getPersonSQL, id)
}

// CreatePerson inserts p and its audit event; a name, address or chat id a person not
// deleted has is an *agentgate.PersonTaken.
func (s *Store) CreatePerson(ctx context.Context, p *agentgate.Person, event agentgate.AuditEvent) error {
	groups, ev, err := personArgs(p, event)
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(insertPersonSQL, p.ID, p.Name, p.Email, p.SlackUserID, p.DiscordUserID, groups,
			toMicros(p.CreatedAt), toMicros(p.UpdatedAt), nil, strings.ToLower(p.Name), strings.ToLower(p.Email))
		if err != nil {
			return personTaken(err)
		}
		return tx.changed(TopicPeople, ev)
	})
	if err != nil {
		return fmt.Errorf("create person: %w", err)
	}
	return nil
}

// UpdatePerson writes p's fields but ID and CreatedAt, and its audit event;
// agentgate.ErrNotFound when there is no such person not deleted.
func (s *Store) UpdatePerson(ctx context.Context, p *agentgate.Person, event agentgate.AuditEvent) error {
	groups, ev, err := personArgs(p, event)
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		err := tx.execOne(notFound("person", p.ID), updatePersonSQL, p.Name, p.Email, p.SlackUserID, p.DiscordUserID,
			groups, toMicros(p.UpdatedAt), strings.ToLower(p.Name), strings.ToLower(p.Email), p.ID)
		if err != nil {
			return personTaken(err)
		}
		return tx.changed(TopicPeople, ev)
	})
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	return nil
}

// DeletePerson marks the person deleted at t and detaches its keys, with its audit event;
// agentgate.ErrNotFound when there is no such person not yet deleted.
func (s *Store) DeletePerson(ctx context.Context, id string, t time.Time, event agentgate.AuditEvent) error {
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	if err != nil {
		return err
	}
	err = s.w.do(ctx, func(tx *writeTx) error {
		if err := tx.execOne(notFound("person", id), deletePersonSQL, toMicros(t), toMicros(t), id); err != nil {
			return err
		}
		n, err := tx.execRows(detachKeysSQL, id)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := tx.notify(TopicKeys); err != nil {
				return err
			}
		}
		return tx.changed(TopicPeople, ev)
	})
	if err != nil {
		return fmt.Errorf("delete person: %w", err)
	}
	return nil
}

// checkLivePerson refuses, inside a write, to give a key to a person who is missing or
// deleted: the gate checked before writing, and this closes the gap to a concurrent delete.
func checkLivePerson(tx *writeTx, id string) error {
	if id == "" {
		return nil
	}
	row, err := tx.queryRow(livePersonSQL, id)
	n, err := scanCount(row, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return clean(notFound("person", id))
	}
	return nil
}

func personArgs(p *agentgate.Person, event agentgate.AuditEvent) (string, [][]any, error) {
	groups, err := marshalList("groups", p.Groups)
	if err != nil {
		return "", nil, err
	}
	ev, err := auditArgs([]agentgate.AuditEvent{event})
	return groups, ev, err
}

// personUniqueFields maps the unique indexes of migration 00006 (PostgreSQL names the
// index, SQLite the column) to the field a person must change.
var personUniqueFields = map[string]string{
	"people_live_name": "name", "people_live_email": "email",
	"people_live_slack": "slackUserId", "people_live_discord": "discordUserId",
	"people.name_key": "name", "people.email_key": "email",
	"people.slack_user_id": "slackUserId", "people.discord_user_id": "discordUserId",
}

// personTaken turns a unique violation of a person's field into *agentgate.PersonTaken.
// It is not clean: PostgreSQL abandons the transaction, so the writer runs the batch again
// with savepoints.
func personTaken(err error) error {
	if err == nil || !isUniqueViolation(err) {
		return err
	}
	if pqErr := pq.As(err); pqErr != nil {
		if f, ok := personUniqueFields[pqErr.Constraint]; ok {
			return fmt.Errorf("%w: %w", &agentgate.PersonTaken{Field: f}, err)
		}
		return err
	}
	// SQLite: "UNIQUE constraint failed: people.email_key".
	_, col, _ := strings.Cut(err.Error(), "failed: ")
	if f, ok := personUniqueFields[col]; ok {
		return fmt.Errorf("%w: %w", &agentgate.PersonTaken{Field: f}, err)
	}
	return err
}

// scanPerson reads one row of personColumns.
func scanPerson(sc scanner) (agentgate.Person, error) {
	var (
		p                    agentgate.Person
		groups               []byte
		createdAt, updatedAt int64
		deletedAt            sql.NullInt64
	)
	err := sc.Scan(&p.ID, &p.Name, &p.Email, &p.SlackUserID, &p.DiscordUserID, &groups, &createdAt, &updatedAt, &deletedAt)
	if err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt, p.DeletedAt = fromMicros(createdAt), fromMicros(updatedAt), fromNullMicros(deletedAt)
	if err := json.Unmarshal(groups, &p.Groups); err != nil {
		return p, fmt.Errorf("decode groups of person %s: %w", p.ID, err)
	}
	return p, nil
}
