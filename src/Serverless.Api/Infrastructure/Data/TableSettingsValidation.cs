namespace Serverless.Api.Infrastructure.Data;

/// <summary>
/// The table settings, checked when the host starts: the development cursor key fills a missing one only in the
/// Development environment; anywhere else a missing key, or the development key given explicitly, fails the start
/// naming the setting to provide.
/// </summary>
internal sealed class TableSettingsValidation(IHostEnvironment environment) : IPostConfigureOptions<TableSettings>, IValidateOptions<TableSettings>
{
    public void PostConfigure(string? name, TableSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (environment.IsDevelopment() && string.IsNullOrWhiteSpace(options.CursorSigningKey))
        {
            options.CursorSigningKey = DataSetup.DevCursorSigningKey;
        }
    }

    public ValidateOptionsResult Validate(string? name, TableSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = $"in the {environment.EnvironmentName} environment";
        if (string.IsNullOrWhiteSpace(options.CursorSigningKey))
        {
            return ValidateOptionsResult.Fail(
                $"Table:CursorSigningKey (Table__CursorSigningKey) is not set: give the secret that signs pagination cursors "
                + $"(at least {Serverless.Data.Table.TableOptions.MinimumSigningKeyBytes} bytes) {where} "
                + "(the local stack runs with DOTNET_ENVIRONMENT=Development, which uses its development key instead).");
        }

        foreach (var (setting, value) in new[] { ("Table:CursorSigningKey", options.CursorSigningKey), ("Table:PreviousCursorSigningKey", options.PreviousCursorSigningKey) })
        {
            if (!environment.IsDevelopment() && value == DataSetup.DevCursorSigningKey)
            {
                return ValidateOptionsResult.Fail(
                    $"{setting} is the local stack's public development cursor key, refused {where}: configure a secret of your own.");
            }
        }

        try
        {
            options.ToOptions().Validate();
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }

        return ValidateOptionsResult.Success;
    }
}
