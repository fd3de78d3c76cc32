namespace PgBackupTools.Engine.Notify;

/// <summary>Why an alert was (or was not) sent.</summary>
public enum AlertKind
{
    /// <summary>First alert for its key, or its severity changed.</summary>
    New,

    /// <summary>Same key and severity as before, but the repeat window has passed.</summary>
    Repeat,

    /// <summary>OK after a non-OK alert: sent once as "Recovered: ...".</summary>
    Recovery,

    /// <summary>Not sent: already reported within the window, or OK with nothing to recover from.</summary>
    Suppressed,
}
