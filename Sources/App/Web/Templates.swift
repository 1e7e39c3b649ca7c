import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Security
import Storage
/// Mustache templates of the web interface. `{{x}}` HTML-escapes; triple braces are never used,
/// so no value reaches the page unescaped. No scripts: the CSP forbids them.
enum Templates {
    static let all: [String: String] = [
        "top": top, "bottom": bottom, "home": home, "login": login, "signup": signup, "error": error,
        "dashboard": dashboard, "order": order, "newOrder": newOrder,
        "staffCustomers": staffCustomers, "staffCustomer": staffCustomer, "staffRevealed": staffRevealed, "staffSales": staffSales,
        "accountSecurity": accountSecurity, "mfaEnroll": mfaEnroll, "mfaDone": mfaDone,
    ]

    static let top = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · SolarDispatch</title>
    <link rel="stylesheet" href="/app.css"></head>
    <body><header><h1>☀ SolarDispatch</h1><nav>{{#user}}{{email}} ({{role}}) · <a href="/account/security">Security</a>
    <form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="{{csrf}}"><button>Log out</button></form>{{/user}}
    {{^user}}<a href="/login">Log in</a> · <a href="/signup">Sign up</a>{{/user}}</nav></header>
    {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
    """

    static let bottom = "</body></html>"

    /// Served at `/app.css` from this origin: the CSP allows no inline styles or scripts.
    static let stylesheet = """
    body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
    header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd;margin-bottom:1rem}
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.4rem;text-align:left}
    .error{background:#fde8e8;padding:.6rem;border-radius:4px}label{display:block;margin:.5rem 0}
    input,select,textarea{display:block;padding:.3rem;width:100%;max-width:24rem}form.inline{display:inline}
    """

    static let home = """
    {{> top}}<h2>Solar panels, installed by a certified installer near you.</h2>
    <p>Order an installation, get an instant quote, and we dispatch it to the nearest available certified installer.</p>
    <p><a href="/signup">Create an account</a> or <a href="/login">log in</a>.</p>{{> bottom}}
    """

    static let login = """
    {{> top}}<h2>Log in</h2>
    <form method="post" action="/login">
    <label>Email <input type="email" name="email" required maxlength="254" autocomplete="username" value="{{email}}"></label>
    <label>Password <input type="password" name="password" required maxlength="128" autocomplete="current-password"></label>
    {{#needsCode}}<label>Code from your authenticator app <input name="totpCode" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required></label>{{/needsCode}}
    <button>Log in</button></form>{{> bottom}}
    """

    static let signup = """
    {{> top}}<h2>Create a customer account</h2>
    <form method="post" action="/signup">
    <label>Name <input name="name" required maxlength="100" value="{{form.name}}"></label>
    <label>Email <input type="email" name="email" required maxlength="254" value="{{form.email}}" autocomplete="username"></label>
    <label>Phone (E.164, e.g. +34600123456) <input name="phone" required maxlength="16" value="{{form.phone}}"></label>
    <label>Password (8 to 128 characters) <input type="password" name="password" required minlength="8" maxlength="128" autocomplete="new-password"></label>
    <button>Sign up</button></form>{{> bottom}}
    """

    static let error = """
    {{> top}}<h2>{{status}}</h2><p>{{message}}</p><p><a href="/">Home</a></p>{{> bottom}}
    """

    static let dashboard = """
    {{> top}}
    {{#customer}}<h2>Your orders</h2><p><a href="/orders/new">New installation order</a></p>
    <table><tr><th>Order</th><th>Status</th><th>Quote</th><th>Created</th></tr>
    {{#orders}}<tr><td><a href="/orders/{{id}}">{{short}}</a></td><td>{{status}}</td><td>{{total}}</td><td>{{created}}</td></tr>{{/orders}}
    </table>{{^orders}}<p>No orders yet.</p>{{/orders}}{{/customer}}
    {{#installer}}<h2>Open offers</h2>
    <table><tr><th>Area</th><th>Distance</th><th>System</th><th>Expires</th><th></th></tr>
    {{#offers}}<tr><td>{{city}} {{postalPrefix}}…</td><td>{{distance}} km</td><td>{{size}} kW, {{panels}} panels, {{roof}}</td><td>{{expires}}</td>
    <td><form method="post" action="/installer/offers/{{id}}/accept"><input type="hidden" name="_csrf" value="{{csrf}}"><button>Accept</button></form></td></tr>{{/offers}}
    </table>{{^offers}}<p>No open offers. Set your service area and availability in the mobile app.</p>{{/offers}}
    <h2>Your jobs</h2><table><tr><th>Address</th><th>Status</th><th>Date</th><th></th></tr>
    {{#jobs}}<tr><td>{{address}}</td><td>{{status}}</td><td>{{date}}</td><td>{{#next}}<form method="post" action="/installer/jobs/{{id}}/status">
    <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="status" value="{{next}}"><button>Mark {{next}}</button></form>{{/next}}</td></tr>{{/jobs}}
    </table>{{/installer}}
    {{#staff}}<h2>Staff console</h2>
    {{#needsMFA}}<p class="error">Set up <a href="/account/security">two-factor authentication</a> before using the staff console.</p>{{/needsMFA}}
    {{^needsMFA}}<ul>{{#customers}}<li><a href="/staff/customers">Customers</a> (masked; full data with a recorded reason)</li>{{/customers}}
    {{#sales}}<li><a href="/staff/sales">Sales summary</a></li>{{/sales}}
    {{#engineer}}<li>Customer data needs an approved break-glass grant (staff API <code>/api/v1/staff/break-glass</code>).</li>{{/engineer}}
    {{#admin}}<li>Staff accounts, roles and the access review are in the staff API.</li>{{/admin}}</ul>{{/needsMFA}}{{/staff}}
    {{> bottom}}
    """

    static let order = """
    {{> top}}<h2>Order {{short}}</h2><p>Status: <strong>{{status}}</strong>{{#scheduled}} · scheduled for {{scheduled}}{{/scheduled}}</p>
    <p>{{line1}}, {{city}} {{postalCode}}, {{country}}</p><p>{{size}} kW · {{panels}} panels · {{roof}} roof</p>
    <h3>Quote</h3><table>{{#lines}}<tr><td>{{description}}</td><td>{{amount}}</td></tr>{{/lines}}
    <tr><th>Total (excl. VAT)</th><th>{{total}}</th></tr></table>
    {{#canAccept}}<form method="post" action="/orders/{{id}}/accept-quote"><input type="hidden" name="_csrf" value="{{csrf}}"><button>Accept quote</button></form>{{/canAccept}}
    {{#canCancel}}<form method="post" action="/orders/{{id}}/cancel"><input type="hidden" name="_csrf" value="{{csrf}}"><button>Cancel order</button></form>{{/canCancel}}
    <p><a href="/dashboard">Back</a></p>{{> bottom}}
    """

    static let newOrder = """
    {{> top}}<h2>New installation order</h2>
    <form method="post" action="/orders"><input type="hidden" name="_csrf" value="{{csrf}}">
    <label>Street <input name="line1" required maxlength="200"></label>
    <label>City <input name="city" required maxlength="100"></label>
    <label>Region <input name="region" required maxlength="100"></label>
    <label>Postal code <input name="postalCode" required maxlength="20"></label>
    <label>Country (ISO code) <input name="country" required maxlength="2" value="ES"></label>
    <label>Latitude <input name="latitude" required inputmode="decimal"></label>
    <label>Longitude <input name="longitude" required inputmode="decimal"></label>
    <label>System size (kW) <input name="systemSizeKw" required inputmode="decimal" value="6.4"></label>
    <label>Panels <input name="panelCount" required inputmode="numeric" value="16"></label>
    <label>Roof <select name="roofType">{{#roofs}}<option>{{.}}</option>{{/roofs}}</select></label>
    <label>Notes <textarea name="notes" maxlength="1000"></textarea></label>
    <button>Get my quote</button></form>{{> bottom}}
    """
}
