using PgBackupTools.Engine.Crypto;

namespace PgBackupTools.Tests.Crypto;

/// <summary>PBKDF2 with few iterations so tests stay fast; production uses KdfParameters.CreateDefault().</summary>
internal static class TestKdf
{
    public const int Iterations = 1000;

    public static KdfParameters Passphrase(int iterations = Iterations) =>
        new(KdfParameters.Pbkdf2Sha256, iterations, System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
