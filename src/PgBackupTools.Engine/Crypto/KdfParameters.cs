using System.Security.Cryptography;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// How the key-encryption key is derived from a key source; stored next to the wrapped master key.
/// Iterations are taken as stored (a lowered count only changes the KEK, so it cannot weaken an existing
/// wrap); new repositories must use <see cref="CreateDefault"/>, which meets <see cref="MinimumIterations"/>.
/// </summary>
public sealed record KdfParameters(string Algorithm, int Iterations, byte[] Salt)
{
    public const string Pbkdf2Sha256 = "PBKDF2-SHA256";
    public const string HkdfSha256 = "HKDF-SHA256";

    /// <summary>OWASP 2023 recommendation for PBKDF2-HMAC-SHA256; the floor for newly initialised repositories.</summary>
    public const int MinimumIterations = 600_000;

    /// <summary>Upper bound so a tampered config cannot make unlocking hang for hours.</summary>
    public const int MaximumIterations = 100_000_000;

    /// <summary>PBKDF2-SHA256 with <see cref="MinimumIterations"/> and a fresh random salt (for passphrases).</summary>
    public static KdfParameters CreateDefault() =>
        new(Pbkdf2Sha256, MinimumIterations, RandomNumberGenerator.GetBytes(CryptoSizes.Salt));

    /// <summary>HKDF-SHA256 with a fresh random salt (for key files, which already hold 256 random bits).</summary>
    public static KdfParameters CreateForKeyFile() =>
        new(HkdfSha256, 0, RandomNumberGenerator.GetBytes(CryptoSizes.Salt));

    /// <summary>Throws KdfParametersInvalid (InvalidData) unless the parameters can be used as stored.</summary>
    public void Validate()
    {
        var valid = Salt is { Length: CryptoSizes.Salt } && Algorithm switch
        {
            Pbkdf2Sha256 => Iterations is > 0 and <= MaximumIterations,
            HkdfSha256 => Iterations == 0,
            _ => false,
        };

        if (!valid)
        {
            throw new PgBackupException(
                "KdfParametersInvalid",
                ErrorKind.InvalidData,
                $"The stored key derivation parameters are invalid (algorithm '{Algorithm}', {Iterations} iterations, " +
                $"{Salt?.Length ?? 0}-byte salt). Expected {Pbkdf2Sha256} with 1..{MaximumIterations} iterations or " +
                $"{HkdfSha256} with 0 iterations, and a {CryptoSizes.Salt}-byte salt.");
        }
    }
}
