using Serverless.Data.Privacy;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Data.Orders;

public sealed partial class OrderRepository
{
    private const string UserEntity = "User";

    /// <summary>
    /// Creates the order at version 1: the header and one item per line in one TransactWriteItems, together with a
    /// check that the user still exists, is not deleted and is still at <see cref="Order.UserVersion"/> (the version
    /// the denormalized email and name were copied from). <see cref="Order.OrderedAt"/> defaults to now.
    /// The total must already be the sum of the lines (<see cref="OrderRules.TotalOf"/>); it is checked, not computed.
    /// </summary>
    /// <exception cref="ValidationException">The order breaks a rule, or a line names a product that does not exist; nothing was written.</exception>
    /// <exception cref="NotFoundException">The user does not exist or is deleted; nothing was written.</exception>
    /// <exception cref="ConflictException">The user changed since it was read (read it again), or the order id is taken; nothing was written.</exception>
    public async Task<Order> CreateAsync(Order order, string lastWriter, CancellationToken cancellationToken)
    {
        var stamped = Created(order, lastWriter);
        var created = stamped with
        {
            UserEmail = order.UserEmail?.Trim()!,
            OrderedAt = order.OrderedAt == default ? stamped.CreatedAt : ToMilliseconds(order.OrderedAt),
        };
        var errors = new List<FieldError>(OrderRules.Validate(created));
        if (created.UserVersion < 1)
        {
            errors.Add(new FieldError("userVersion", "must be the version of the user the email and name were read from (at least 1)."));
        }

        ValidationException.ThrowIfAny(errors);

        await EnsureProductsExistAsync(created.Items, cancellationToken).ConfigureAwait(false);

        var userId = Keys.Id(created.UserId);
        // The copies are sealed under the user's own key (a user from before encryption has none yet: its copies stay
        // as its item is, until the migration seals both).
        var userKeys = await Access.Privacy.ForUserAsync(created.UserId, consistent: false, cancellationToken).ConfigureAwait(false);
        var header = userKeys is null ? OrderMapper.ToHeaderItem(created) : OrderProtection.Seal(OrderMapper.ToHeaderItem(created), userKeys);
        var actions = new List<WriteAction>
        {
            // The seed's foreign key orders.user_id: the user must exist and not be deleted (a purge cascade that
            // already ran would never find an order created after it). Pinning the user's version means the
            // copied email and name are current when the order lands; a later change reaches it via the stream.
            WriteAction.Check(
                Table,
                Keys.User(created.UserId),
                new WriteCondition(
                    "attribute_exists(#pk) AND #status <> :deleted AND #version = :userVersion",
                    new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#status"] = Attr.Status, ["#version"] = Attr.Version },
                    new Dictionary<string, AttributeValue>
                    {
                        [":deleted"] = Av.S(UserStatus.Deleted.ToName()),
                        [":userVersion"] = Av.N(created.UserVersion),
                    }),
                stored => stored is null || stored.GetValueOrDefault(Attr.Status)?.S == UserStatus.Deleted.ToName()
                    ? new NotFoundException(UserEntity, userId)
                    : new ConflictException(
                        $"The user changed since it was read (it is at version {stored[Attr.Version].N}, the order says {created.UserVersion}); read the user again.",
                        "userVersion")),
            // A random id should never collide; if it does, the other order must not be overwritten.
            WriteAction.Put(Table, header, WriteCondition.NotExists,
                ConditionFailures.Conflict("An order with this id already exists.", "id")),
        };
        // No conditions on the lines: the header's condition already makes the transaction all-or-nothing.
        actions.AddRange(created.Items.Select(line => WriteAction.Put(Table, OrderMapper.ToLineItem(created, line), null, null)));

        await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// Moves the order to <paramref name="status"/> if it is still at <paramref name="expectedVersion"/> and the step
    /// is allowed by <see cref="OrderStatusTransitions"/>. Only status, version, updatedAt and lastWriter change.
    /// Asking for the status the order already has writes nothing and returns the order as it is: staying is not a
    /// step of the lifecycle, but it is the state the caller asked for (a retried request gets its answer again).
    /// </summary>
    /// <exception cref="NotFoundException">No such order.</exception>
    /// <exception cref="ConcurrencyException">The stored version is not <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="ConflictException">The lifecycle does not allow the step; nothing was written.</exception>
    public async Task<Order> UpdateStatusAsync(Guid orderId, OrderStatus status, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var id = Keys.Id(orderId);
        var current = await GetAsync(orderId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException(Entity, id);
        if (current.Version != expectedVersion)
        {
            // Checked before the rule, so a stale caller learns to re-read rather than that its step is wrong.
            throw new ConcurrencyException(Entity, id, expectedVersion);
        }

        var updated = current with { Status = status, Version = expectedVersion + 1, UpdatedAt = Access.Now(), LastWriter = lastWriter };
        // The update sets only the status and the write stamps, so the header as read decides whether it changes anything.
        if (ItemContent.Same(OrderMapper.ToHeaderItem(current), OrderMapper.ToHeaderItem(updated)))
        {
            return current;
        }

        OrderStatusTransitions.EnsureAllowed(current.Status, status);

        var update = new ItemUpdate(
            "SET #status = :status, #version = :next, #updatedAt = :now, #lastWriter = :writer",
            new Dictionary<string, string>
            {
                ["#status"] = Attr.Status,
                ["#version"] = Attr.Version,
                ["#updatedAt"] = Attr.UpdatedAt,
                ["#lastWriter"] = Attr.LastWriter,
            },
            new Dictionary<string, AttributeValue>
            {
                [":status"] = Av.S(status.ToName()),
                [":next"] = Av.N(updated.Version),
                [":now"] = Av.Time(updated.UpdatedAt),
                [":writer"] = Av.S(lastWriter),
            });
        // The transition was checked against the order at this version; any write since (another status change,
        // a denormalization) moved the version on, so the check would have to be made again.
        await Access.Writer.UpdateAsync(Table, Keys.Order(orderId), update, WriteCondition.VersionIs(expectedVersion),
            ConditionFailures.StaleOrMissing(Entity, id, expectedVersion), cancellationToken).ConfigureAwait(false);

        return updated;
    }

    /// <summary>
    /// Copies a user's email and name onto one order: <see cref="CopyUserToOrdersAsync"/> for one order id.
    /// </summary>
    /// <returns>True when the order was changed; false when it already had this or a newer user version, is gone, or is another user's.</returns>
    /// <exception cref="ValidationException">A plaintext email or name breaks the seed's rules, or a value is neither; nothing was written.</exception>
    public async Task<bool> UpdateUserDenormalizationAsync(
        Guid orderId,
        Guid userId,
        AttributeValue userEmail,
        AttributeValue userName,
        long userVersion,
        string lastWriter,
        CancellationToken cancellationToken) =>
        await CopyUserToOrdersAsync([orderId], userId, userEmail, userName, userVersion, lastWriter, null, cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>
    /// Copies a user's email and name onto orders, for the denormalization stream function: the values as the user's
    /// item stores them (ciphertext under the user's key, copied without being decrypted; plaintext for a user from
    /// before encryption). Applied to each order only when it exists, belongs to <paramref name="userId"/> (the
    /// ciphertext is that user's) and holds an older user version than <paramref name="userVersion"/>, so a replayed or
    /// out-of-order stream record never overwrites newer data and a deleted order is never re-created. Bumps each
    /// changed order's version (its representation changed).
    /// <para>
    /// One PartiQL UPDATE per order, 25 a BatchExecuteStatement call (<see cref="StatementBatchWriter"/>): each with its
    /// own condition and its own answer, no transaction (none is needed: the orders are independent, and a transaction
    /// would cost each write twice). The calls for more than 25 orders go one after the other; a caller wanting more in
    /// flight gives batches of 25 from several tasks.
    /// </para>
    /// </summary>
    /// <param name="retry">How throttled statements are retried; <see cref="TableAccess.StatementRetry"/> when null.</param>
    /// <returns>How many orders were changed (the others already had this or a newer user version, are gone, or are another user's).</returns>
    /// <exception cref="ValidationException">A plaintext email or name breaks the seed's rules, or a value is neither; nothing was written.</exception>
    /// <exception cref="StatementBatchException">DynamoDB refused a statement for a reason other than its condition, or kept throttling it.</exception>
    public async Task<int> CopyUserToOrdersAsync(
        IReadOnlyList<Guid> orderIds,
        Guid userId,
        AttributeValue userEmail,
        AttributeValue userName,
        long userVersion,
        string lastWriter,
        RetryOptions? retry,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        ArgumentNullException.ThrowIfNull(userEmail);
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var errors = new FieldErrorCollector();
        CheckCopy(errors, "userEmail", userEmail, userId, isEmail: true);
        CheckCopy(errors, "userName", userName, userId, isEmail: false);
        if (userVersion < 1)
        {
            errors.Add("userVersion", "must be at least 1.");
        }

        errors.ThrowIfAny();

        var email = userEmail.S is { } plain ? Av.S(plain.Trim()) : userEmail;
        var now = Av.Time(Access.Now());
        var writer = retry is null ? Access.Statements : new StatementBatchWriter(Access.Client, retry, Access.Time);
        var changed = 0;
        // Distinct: a batch must not name an item twice (DynamoDB refuses it whole).
        foreach (var batch in orderIds.Distinct().Chunk(StatementBatchWriter.MaxBatchSize))
        {
            var outcomes = await writer.ExecuteAsync(
                [.. batch.Select(orderId => CopyStatement(Keys.Order(orderId), userId, email, userName, userVersion, now, lastWriter))],
                cancellationToken).ConfigureAwait(false);
            changed += outcomes.Count(o => o == StatementOutcome.Applied);
        }

        return changed;
    }

    /// <summary>
    /// The copy onto one order header. The WHERE names the key (a PartiQL UPDATE touches the one item it names) and the
    /// conditions of <see cref="WriteCondition.OlderUserVersion"/> and of ownership: the order exists (an update must not
    /// create a header-less stub for an order deleted or purged), its copy is older (streams deliver at least once and
    /// late, so the newest user data wins), and it is this user's. A failed condition is no error for the stream
    /// function: the order already has what the record carries, or newer, or it is gone.
    /// </summary>
    private WriteStatement CopyStatement(
        ItemKey key, Guid userId, AttributeValue email, AttributeValue name, long userVersion, AttributeValue now, string lastWriter) =>
        new(
            $"UPDATE \"{Table}\""
            + $" SET \"{Attr.UserEmail}\" = ? SET \"{Attr.UserName}\" = ? SET \"{Attr.UserVersion}\" = ?"
            + $" SET \"{Attr.Version}\" = \"{Attr.Version}\" + ? SET \"{Attr.UpdatedAt}\" = ? SET \"{Attr.LastWriter}\" = ?"
            + $" WHERE \"{Attr.PK}\" = ? AND \"{Attr.SK}\" = ? AND \"{Attr.PK}\" IS NOT MISSING"
            + $" AND (\"{Attr.UserVersion}\" IS MISSING OR \"{Attr.UserVersion}\" < ?) AND \"{Attr.UserId}\" = ?",
            [email, name, Av.N(userVersion), Av.N(1), now, Av.S(lastWriter), Av.S(key.PK), Av.S(key.SK), Av.N(userVersion), Av.Guid(userId)]);

    /// <summary>A copy must be the user's own ciphertext, or (from before encryption) a plaintext value that keeps the seed's rules.</summary>
    private static void CheckCopy(FieldErrorCollector errors, string field, AttributeValue value, Guid userId, bool isEmail)
    {
        if (FieldCipher.IsCiphertext(value))
        {
            if (FieldCipher.HeaderOf(value, OrderProtection.ItemId(userId)).Owner != userId)
            {
                errors.Add(field, "is another user's ciphertext.");
            }

            return;
        }

        if (value.S is null)
        {
            errors.Add(field, "must be a string or the user's ciphertext.");
            return;
        }

        errors.RequiredString(field, value.S);
        if (isEmail && !string.IsNullOrWhiteSpace(value.S) && !EmailAddress.IsValid(value.S.Trim()))
        {
            errors.Add(field, "is not a valid email address.");
        }
    }

    /// <summary>Every line must name a product that exists (one BatchGetItem); the line's name and price are the caller's snapshot.</summary>
    private async Task EnsureProductsExistAsync(IReadOnlyList<OrderItem> lines, CancellationToken cancellationToken)
    {
        var found = await Access.Reads.BatchGetAsync(Table, lines.Select(l => Keys.Product(l.ProductId)), cancellationToken).ConfigureAwait(false);
        var errors = new FieldErrorCollector();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!found.ContainsKey(Keys.Product(lines[i].ProductId)))
            {
                errors.Add($"items[{i}].productId", "does not name an existing product.");
            }
        }

        errors.ThrowIfAny();
    }

    private static DateTimeOffset ToMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
