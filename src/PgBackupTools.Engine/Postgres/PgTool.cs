namespace PgBackupTools.Engine.Postgres;

/// <summary>A PostgreSQL client program found on this machine, with the version it reported.</summary>
/// <param name="Name">Program name without extension, e.g. pg_dump.</param>
/// <param name="Path">Full path to the executable.</param>
/// <param name="Version">Major and minor version (15.18 → Major 15, Minor 18).</param>
/// <param name="VersionText">The first line of <c>--version</c>, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".</param>
public sealed record PgTool(string Name, string Path, Version Version, string VersionText);
