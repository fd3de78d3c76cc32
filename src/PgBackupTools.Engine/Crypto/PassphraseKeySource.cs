using System.Security.Cryptography;
using System.Text;

namespace PgBackupTools.Engine.Crypto;

/// <summary>KEK = PBKDF2-HMAC-SHA256(UTF-8(NFC(passphrase)), salt, iterations).</summary>
internal sealed class PassphraseKeySource : KeySource
{
    // A .NET string cannot be wiped; only the byte copies made here are zeroed.
    private readonly string _passphrase;

    public PassphraseKeySource(string passphrase) => _passphrase = passphrase;

    public override string Kind => PassphraseKind;

    /// <summary>For the environment of a restored server, whose restore_command unlocks the repository itself.</summary>
    internal string Passphrase => _passphrase;

    internal override string KdfAlgorithm => KdfParameters.Pbkdf2Sha256;

    private protected override void DeriveKekCore(KdfParameters kdf, Span<byte> kek)
    {
        // NFC so the same passphrase typed on macOS (NFD input) and elsewhere gives the same key.
        var normalized = _passphrase.Normalize(NormalizationForm.FormC);
        var passwordBytes = Encoding.UTF8.GetBytes(normalized);
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passwordBytes, kdf.Salt, kek, kdf.Iterations, HashAlgorithmName.SHA256);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }
}
