using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Server programs must match the cluster's major version exactly (client tools may be newer).</summary>
public static class PgServerTools
{
    public static async Task<PgTool> FindPgCtlAsync(string? binDirectory, int major, CancellationToken cancellationToken)
    {
        var pgCtl = await new PgToolLocator(binDirectory).FindAsync(PgToolNames.PgCtl, major, cancellationToken).ConfigureAwait(false);
        if (pgCtl.Version.Major != major)
        {
            throw new PgBackupException(
                "PgServerVersionMismatch",
                ErrorKind.NotInstalled,
                $"The backup is of a PostgreSQL {major} cluster, which only the PostgreSQL {major} server can start; '{pgCtl.Path}' is version {pgCtl.Version.Major}. Install the PostgreSQL {major} server package, or restore without -Start and start it elsewhere.")
            { Target = pgCtl.Path };
        }

        return pgCtl;
    }
}
