namespace Serverless.Testing.Telemetry;

/// <summary>Which kind of secret a registered value is: what a finding names instead of the value.</summary>
public enum PiiKind
{
    Email,
    Name,
    Phone,
    Street,
    City,
    Profile,
    Password,
    PasswordHash,
    Balance,
    Token,
    SigningKey,
}
