using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Domain.Security;

/// <summary>
/// Password storage: PBKDF2-HMAC-SHA256 with 600,000 iterations by default (OWASP's 2023 figure for this algorithm), a random
/// 16-byte salt and a 32-byte derived key, encoded as <c>pbkdf2-sha256$iterations$salt$hash</c>. The iteration count
/// is stored with each hash so it can be raised later without invalidating existing ones.
/// </summary>
public static class PasswordHasher
{
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>The default iteration count (OWASP's figure for PBKDF2-HMAC-SHA256).</summary>
    public const int Iterations = 600_000;

    /// <summary>The fewest iterations a deployment may configure (OWASP's figure for PBKDF2-HMAC-SHA512 is 210,000; below this a guess is cheap).</summary>
    public const int MinIterations = 100_000;

    /// <summary>The most: about ten seconds of one core per hash, past which a create is a denial of service of its own.</summary>
    public const int MaxIterations = 10_000_000;

    public const int MinLength = 8;

    /// <summary>Long enough for passphrases (NIST SP 800-63B asks for at least 64), short enough to bound the work.</summary>
    public const int MaxLength = 128;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Why <paramref name="password"/> is not acceptable, or null when it is. The message never repeats it.</summary>
    public static string? Problem(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "is required.";
        }

        if (password.Length < MinLength || password.Length > MaxLength)
        {
            return $"must be between {MinLength} and {MaxLength} characters.";
        }

        // An unpaired surrogate would be hashed as U+FFFD (the UTF-8 encoder's replacement), so that two different
        // passwords would share a hash; control and bidirectional characters cannot be typed back reliably.
        return string.IsNullOrWhiteSpace(password) ? "must not be only spaces." : TextRule.Problem(password);
    }

    public static string Hash(string password) => Hash(password, Iterations);

    /// <summary>The hash at <paramref name="iterations"/> (<see cref="MinIterations"/> to <see cref="MaxIterations"/>), stored with it.</summary>
    public static string Hash(string password, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join(
            '$',
            Algorithm,
            iterations.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(salt),
            Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="password"/> produces <paramref name="encoded"/>; false for any malformed stored value.</summary>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(encoded);
        var parts = encoded.Split('$');
        if (parts.Length != 4
            || parts[0] != Algorithm
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1)
        {
            return false;
        }

        byte[] salt;
        byte[] expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);

        // Constant time, so response timing does not reveal how close a guess was.
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
