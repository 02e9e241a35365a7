namespace Serverless.Domain.Roles;

public static class RoleRules
{
    public static IReadOnlyList<FieldError> Validate(Role role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var errors = new FieldErrorCollector();
        errors.NotEmpty("id", role.Id);
        errors.RequiredString("name", role.Name);
        errors.MaxLength("description", role.Description);
        return errors.Errors;
    }

    public static void EnsureValid(Role role) => ValidationException.ThrowIfAny(Validate(role));
}
