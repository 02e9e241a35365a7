using Serverless.Domain.Users;
using Serverless.Testing.Telemetry;

namespace Serverless.Streams.Tests.Support;

internal static class TestData
{
    public static User NewUser(string name = "Ada Lovelace", string? email = null) => TelemetryTap.Process.Secrets.User(new()
    {
        Id = Guid.NewGuid(),
        Email = email ?? $"ada.{Guid.NewGuid():N}@example.com",
        Name = name,
        PasswordHash = "pbkdf2$secret-hash-value",
        Phone = "+14155550123",
        Addresses =
        [
            new Address { Type = AddressType.Home, Street = "12 St James's Square", City = "London", Country = "GB", IsDefault = true },
        ],
        Metadata = new Dictionary<string, string> { ["source"] = "test" },
        Balance = 12.50m,
    });
}
