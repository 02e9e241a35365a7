using System.CommandLine;
using System.CommandLine.Parsing;
using Serverless.Api.Infrastructure.Auth;

namespace Serverless.Local;

/// <summary>
/// Prints a dev JWT for the API on the local stack, signed with the same dev key (and issuer and audience) the API
/// validates on Kestrel: <c>token --scopes "data.read data.write" [--subject dev-user] [--lifetime 1h]</c> for a
/// service caller, <c>token --subject &lt;userId&gt; --scopes "self.read self.write"</c> for an end user.
/// </summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var scopes = new Option<string>("--scopes")
        {
            Description = $"Space-separated scopes to grant: any of {string.Join(", ", Scopes.All)}. "
                + $"{string.Join(" and ", Scopes.Self)} make an end-user token, acting only for the user --subject names.",
            Required = true,
        };
        scopes.Validators.Add(result =>
        {
            var unknown = Split(result.GetValueOrDefault<string>()).Where(s => !Scopes.All.Contains(s)).ToList();
            if (unknown.Count > 0)
            {
                result.AddError($"Unknown scope(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", Scopes.All)}.");
            }
        });

        var subject = new Option<string>("--subject")
        {
            Description = "The token's subject (sub): stored on every item written with it as the last writer. "
                + "With a self scope, the id (UUID) of the user the token acts for.",
            DefaultValueFactory = _ => DevAuth.DefaultSubject,
        };
        subject.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--subject must not be empty.");
            }
        });

        var lifetime = new Option<TimeSpan>("--lifetime")
        {
            Description = "How long the token is valid: a number with s, m, h or d (90s, 30m, 1h, 7d), or hh:mm:ss.",
            DefaultValueFactory = _ => DevAuth.DefaultLifetime,
            CustomParser = ParseLifetime,
        };

        var command = new Command("token", "Print a dev JWT the local API accepts (signed with the dev key; never valid on AWS).")
        {
            scopes,
            subject,
            lifetime,
        };
        command.Validators.Add(result =>
        {
            // An end-user token acts for the user its subject names; any other subject would be refused by every route.
            var self = Split(result.GetValue(scopes)).Where(Scopes.Self.Contains).ToList();
            if (self.Count > 0 && !Guid.TryParse(result.GetValue(subject), out _))
            {
                result.AddError($"{string.Join(" and ", self)} make an end-user token: --subject must be the id (UUID) of the user it acts for.");
            }
        });
        command.SetAction(parse =>
        {
            var token = DevAuth.CreateToken(
                parse.GetValue(subject)!,
                Split(parse.GetValue(scopes)),
                parse.GetValue(lifetime),
                DateTimeOffset.UtcNow);
            parse.InvocationConfiguration.Output.WriteLine(token);
            return 0;
        });
        return command;
    }

    internal static IReadOnlyList<string> Split(string? scopes) =>
        (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan ParseLifetime(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (Durations.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"--lifetime '{text}' is not a positive duration such as 90s, 30m, 1h, 7d or 01:30:00.");
        return default;
    }
}
