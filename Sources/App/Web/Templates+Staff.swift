/// Templates of the staff console and of account security. Same rules as `Templates`:
/// double braces only, no scripts.
extension Templates {
    static let staffCustomers = """
    {{> top}}<h2>Customers</h2>
    <p>Search by the customer's exact email address or phone number. Results are masked; the full
    data needs a reason and is recorded in the audit trail.</p>
    <form method="post" action="/staff/customers"><input type="hidden" name="_csrf" value="{{csrf}}"><label>Email or phone <input name="query" required minlength="2" maxlength="100"></label><button>Search</button></form>
    {{#searched}}<table><tr><th>Name</th><th>Email</th><th>Phone</th><th>City</th><th>Since</th><th></th></tr>
    {{#results}}<tr><td><a href="/staff/customers/{{id}}">{{name}}</a></td><td>{{email}}</td><td>{{phone}}</td><td>{{city}}</td><td>{{since}}</td><td>{{locked}}</td></tr>{{/results}}
    </table>{{^results}}<p>No customer matches.</p>{{/results}}{{/searched}}
    <p><a href="/dashboard">Back</a></p>{{> bottom}}
    """

    static let staffCustomer = """
    {{> top}}{{#customer}}<h2>Customer {{name}}</h2>
    <p>{{email}} · {{phone}} · {{city}} {{locked}}</p>
    <h3>Orders</h3><table><tr><th>Order</th><th>Status</th><th>Area</th><th>Quote</th><th>Scheduled</th></tr>
    {{#orders}}<tr><td>{{short}}</td><td>{{status}}</td><td>{{city}}, {{region}}</td><td>{{total}}</td><td>{{scheduled}}</td></tr>{{/orders}}</table>
    <h3>See the full contact data and addresses</h3>
    <form method="post" action="/staff/customers/{{id}}/reveal"><input type="hidden" name="_csrf" value="{{csrf}}">
    <label>Reason (10 to 500 characters) <textarea name="reason" required minlength="10" maxlength="500"></textarea></label>
    <label>Ticket (optional) <input name="ticket" maxlength="64"></label>
    <button>Reveal and record</button></form>{{/customer}}
    <p><a href="/staff/customers">Back to search</a></p>{{> bottom}}
    """

    static let staffRevealed = """
    {{> top}}{{#customer}}<h2>{{name}}</h2><p>{{email}} · {{phone}}</p>
    <p>This view was recorded in the audit trail with your reason. It is not stored in your browser.</p>
    <h3>Sites</h3><table><tr><th>Order</th><th>Address</th></tr>
    {{#sites}}<tr><td>{{order}}</td><td>{{line1}} {{line2}}, {{postalCode}} {{city}}, {{country}}</td></tr>{{/sites}}</table>
    <p><a href="/staff/customers/{{id}}">Back to the masked view</a></p>{{/customer}}{{> bottom}}
    """

    static let staffSales = """
    {{> top}}<h2>Sales summary</h2><p>Aggregates only: no customer appears here. Quote conversion: {{conversion}}</p>
    <h3>By status</h3><table><tr><th>Status</th><th>Orders</th></tr>{{#byStatus}}<tr><td>{{status}}</td><td>{{count}}</td></tr>{{/byStatus}}</table>
    <h3>By week</h3><table><tr><th>Week</th><th>Orders</th><th>Quoted revenue</th></tr>{{#byWeek}}<tr><td>{{key}}</td><td>{{orders}}</td><td>{{revenue}}</td></tr>{{/byWeek}}</table>
    <h3>By region</h3><table><tr><th>Region</th><th>Orders</th><th>Quoted revenue</th></tr>{{#byRegion}}<tr><td>{{key}}</td><td>{{orders}}</td><td>{{revenue}}</td></tr>{{/byRegion}}</table>
    <p><a href="/dashboard">Back</a></p>{{> bottom}}
    """

    static let accountSecurity = """
    {{> top}}<h2>Account security</h2>
    {{#enabled}}<p>Two-factor authentication is on.</p>{{/enabled}}
    {{^enabled}}{{#required}}<p>Staff accounts must use two-factor authentication. Set it up to continue.</p>{{/required}}
    <p>Two-factor authentication asks for a code from an authenticator app when you log in.</p>
    <form method="post" action="/account/mfa/start"><input type="hidden" name="_csrf" value="{{csrf}}"><button>Set up two-factor authentication</button></form>{{/enabled}}
    <p><a href="/dashboard">Back</a></p>{{> bottom}}
    """

    static let mfaEnroll = """
    {{> top}}<h2>Set up two-factor authentication</h2>
    <p>Add this key to your authenticator app (type it in, or open the link on the phone that has the app):</p>
    <p><code>{{secret}}</code></p><p><a href="{{uri}}">Open in authenticator app</a></p>
    <form method="post" action="/account/mfa/confirm"><input type="hidden" name="_csrf" value="{{csrf}}">
    <label>Current 6-digit code <input name="code" inputmode="numeric" autocomplete="one-time-code" required minlength="6" maxlength="6"></label>
    <button>Confirm</button></form>{{> bottom}}
    """

    static let mfaDone = """
    {{> top}}<h2>Two-factor authentication is on</h2>
    <p>Keep these recovery codes somewhere safe. Each works once, if you lose your phone. They are shown only now.</p>
    <ul>{{#codes}}<li><code>{{.}}</code></li>{{/codes}}</ul>
    {{#relogin}}<p>Log out and log in again with a code to open the staff console.</p>{{/relogin}}
    <p><a href="/dashboard">Continue</a></p>{{> bottom}}
    """
}
