package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// The writable store talks to SQLite through a thin layer over the
// driver that sees every query, statement and commit: the one place where
// storage errors are counted (Health) and where the file is checked
// before each write transaction and each new connection, whatever store
// method runs.

// sqliteDriver is the driver registered as "sqlite".
var sqliteDriver = func() driver.Driver {
	db, _ := sql.Open("sqlite", "")
	defer db.Close()
	return db.Driver()
}()

// connector opens tracked connections. Once the file is known, later
// connections are opened without the right to create it: a pool opening
// a connection after the file was deleted must fail, not make an empty
// database at the path.
type connector struct {
	dsn, dsnNoCreate string
	s                *Store
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dsn := c.dsn
	if c.s.file != nil {
		if err := c.s.CheckFile(); err != nil {
			return nil, err
		}
		dsn = c.dsnNoCreate
	}
	conn, err := sqliteDriver.Open(dsn)
	c.s.track.observe(opRead, err)
	if err != nil {
		return nil, err
	}
	return &trackedConn{Conn: conn, s: c.s}, nil
}

func (c *connector) Driver() driver.Driver { return sqliteDriver }

// trackedConn reports each call's outcome to the store's tracker: queries
// as reads, statements outside a transaction and commits as writes.
// Inside a transaction only the commit says a write worked (a disk fills
// up at commit), while a failing statement already counts as a failure.
type trackedConn struct {
	driver.Conn
	s    *Store
	inTx bool
}

func (c *trackedConn) observeExec(err error) {
	if err != nil || !c.inTx {
		c.s.track.observe(opWrite, err)
	}
}

func (c *trackedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	// Every write of the store is in an immediate transaction: check
	// the file first, so nothing is written to a deleted one.
	if err := c.s.CheckFile(); err != nil {
		return nil, err
	}
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.s.track.observe(opWrite, err)
		return nil, err
	}
	c.inTx = true
	return &trackedTx{Tx: tx, c: c}, nil
}

func (c *trackedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *trackedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		c.s.track.observe(opRead, err)
		return nil, err
	}
	return &trackedStmt{Stmt: st, c: c}, nil
}

func (c *trackedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *trackedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.inTx {
		if err := c.s.CheckFile(); err != nil {
			return nil, err
		}
	}
	res, err := c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	c.observeExec(err)
	return res, err
}

func (c *trackedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	c.s.track.observe(opRead, err)
	if err != nil {
		return nil, err
	}
	return &trackedRows{Rows: rows, s: c.s}, nil
}

func (c *trackedConn) Ping(ctx context.Context) error {
	err := c.Conn.(driver.Pinger).Ping(ctx)
	c.s.track.observe(opRead, err)
	return err
}

func (c *trackedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *trackedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type trackedTx struct {
	driver.Tx
	c *trackedConn
}

func (t *trackedTx) Commit() error {
	t.c.inTx = false
	err := t.Tx.Commit()
	t.c.s.track.observe(opWrite, err)
	return err
}

func (t *trackedTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}

type trackedStmt struct {
	driver.Stmt
	c *trackedConn
}

func (s *trackedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	s.c.observeExec(err)
	return res, err
}

func (s *trackedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	s.c.s.track.observe(opRead, err)
	if err != nil {
		return nil, err
	}
	return &trackedRows{Rows: rows, s: s.c.s}, nil
}

// Exec and Query without a context are never called by database/sql when
// the context forms exist; they forward for completeness.
func (s *trackedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *trackedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// trackedRows counts an error met while stepping through results (a
// damaged page is often found there, not when the query starts).
type trackedRows struct {
	driver.Rows
	s *Store
}

func (r *trackedRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != nil && !errors.Is(err, io.EOF) {
		r.s.track.observe(opRead, err)
	}
	return err
}
