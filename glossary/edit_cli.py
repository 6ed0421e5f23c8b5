"""`glossary user …` and `glossary token create`: the accounts of a team server (registered in cli.py).

The first `user add` turns editing on for the database: every entry becomes revision 1 of its history.
"""

from __future__ import annotations

import sys

import click

from glossary.cli import DB_OPTION, UserError, open_glossary


def _connect(db: str):
    from glossary.editdb import connect

    open_glossary(db)  # built first if missing: editing needs the entries to import
    return connect(db)


@click.group(name="user")
def user():
    """Accounts of a team server: contributor, editor or admin (anyone else only reads).

    \b
    Examples:
      glossary user add alice --role admin          # asks for the password
      printf '%s' "$PW" | glossary user add bob --role editor --password-stdin
      glossary user list
    """


@user.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(["contributor", "editor", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of a prompt.")
@DB_OPTION
def user_add(name, role, password_stdin, db):
    """Add a user (the first one turns editing on for the database).

    \b
    Example:
      glossary user add alice --role admin
    """
    from glossary import accounts
    from glossary.editing import Editor

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _connect(db) as conn:
        try:
            accounts.add_user(conn, name, role, password)
        except accounts.AccountError as exc:
            raise UserError(str(exc)) from None
    imported = Editor(db).enable()
    click.echo(f"added {name} ({role})")
    if imported:
        click.echo(f"editing is on for {db}: {imported} entries imported as revision 1", err=True)


@user.command(name="list")
@DB_OPTION
def user_list(db):
    """List users and their roles.

    \b
    Example:
      glossary user list
    """
    from glossary import accounts

    with _connect(db) as conn:
        for row in accounts.users(conn):
            click.echo(f"{row['name']}\t{row['role']}\t{row['created_at']}")


@user.command(name="set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(["contributor", "editor", "admin"]))
@DB_OPTION
def user_set_role(name, role, db):
    """Change a user's role.

    \b
    Example:
      glossary user set-role bob editor
    """
    from glossary import accounts

    with _connect(db) as conn:
        try:
            accounts.set_role(conn, name, role)
        except accounts.AccountError as exc:
            raise UserError(str(exc)) from None
    click.echo(f"{name} is now {role}")


@user.command(name="remove")
@click.argument("name")
@DB_OPTION
def user_remove(name, db):
    """Remove a user and their tokens (their revisions keep their name).

    \b
    Example:
      glossary user remove bob
    """
    from glossary import accounts

    with _connect(db) as conn:
        try:
            accounts.remove_user(conn, name)
        except accounts.AccountError as exc:
            raise UserError(str(exc)) from None
    click.echo(f"removed {name}")


@click.group(name="token")
def token():
    """API tokens (`Authorization: Bearer …`), each acting as its user.

    \b
    Example:
      glossary token create alice --label "CAT plug-in"
    """


@token.command(name="create")
@click.argument("name")
@click.option("--label", help="What the token is for (shown nowhere but the database).")
@DB_OPTION
def token_create(name, label, db):
    """Create an API token for a user; it is printed once and only its hash is kept.

    \b
    Example:
      glossary token create alice --label "CAT plug-in"
    """
    from glossary import accounts

    with _connect(db) as conn:
        try:
            click.echo(accounts.create_token(conn, name, label))
        except accounts.AccountError as exc:
            raise UserError(str(exc)) from None
