"""Search that knows when it does not know: confidence, spelling that helps or stays silent,
the type-ahead agreeing with the results page, vocabulary gaps and `csohelp eval`'s new scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import build_faq_index

from csohelp.cli import main
from csohelp.search.analysis import plain_words
from csohelp.search.backend import WhooshBackend
from csohelp.search.confidence import confident
from csohelp.search.evaluate import evaluate, load_queries, report
from csohelp.search.query import concepts_of, whoosh_query

UNTOUCHED = Path(__file__).parent / "relevance"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    return WhooshBackend(build_faq_index(tmp_path_factory.mktemp("confidence") / "index"))


@pytest.mark.parametrize("lang, q", [
    ("en", "nhl playoff schedule"), ("fr", "billet d'avion pour Toronto"), ("fr", "météo Montréal"),
    ("en", "reset my password"), ("fr", "mot de passe"), ("fr", "offre d'emploi chez IBM"),
    ("en", "ibm stock price"), ("en", "printer driver error 0x80070005"),
    ("fr", "résultats du match des Canadiens"),  # "du" is not "dû" (amount owing)
    # One help-center word and one from elsewhere: the other word decides a short query.
    ("en", "flower delivery"), ("fr", "commander une pizza"), ("en", "renew my passport"),
    ("fr", "licence de pêche"), ("fr", "renouvellement permis de conduire"),
    ("en", "amazon order tracking"), ("en", "netflix subscription renewal"),
    ("fr", "numéro de série de ma voiture"),
    ("fr", "réparer mon imprimante"), ("en", "printer paper jam"), ("en", "internship application"),
    ("fr", "acheter des actions"), ("fr", "cours de yoga"),
    # Words of the synonym table that no topic is about; a phrase is judged as a phrase.
    ("en", "server is down"), ("fr", "panne de serveur"), ("en", "my bank account balance"),
    ("fr", "payer mes impôts en ligne"), ("en", "cell phone bill too high"),
    ("en", "track my Canada Post package"), ("en", "pay my personal credit card bill"),
    ("en", "server down 500 error"),
    # Words of other subjects (lexicon.yaml) decide long questions too.
    ("en", "our landlord sent us an invoice for snow removal that we never agreed to, can we "
           "refuse to pay it?"),
    ("en", "our VPN keeps dropping every afternoon and nobody at the help desk can tell us why"),
    ("en", "How do I submit a vacation request in the HR portal?"),
    ("fr", "résultats du match des Canadiens hier soir"),
    # IBM's own affairs (synonyms.yaml's no_topic), though every other word is ours.
    ("en", "how to become an IBM business partner"), ("fr", "comment devenir partenaire commercial IBM"),
    ("en", "we are a supplier to IBM, when will you pay our invoice"), ("en", "IBM annual report 2025"),
    ("en", "IBM Canada head office address"), ("fr", "adresse du siège social d'IBM Canada"),
    ("en", "how to install Windows updates"),
    ("fr", "erreur Db2 SQL0805N"),  # an error code is mostly letters: no reference number
    # A situational word (lexicon.yaml) is the subject of a short query.
    ("fr", "avocat pour litige commercial"), ("en", "lawyer for contract dispute"),
    ("en", "GST filing deadline"), ("fr", "modèle de facture Excel gratuit"),
    ("en", "renew my car insurance"),
    # IBM's products are a client's context, but training, APIs and press releases are not CSO's.
    ("fr", "formation OpenShift en français"), ("en", "watsonx API rate limit error"),
    ("en", "Where can I read IBM's press release on its quarterly earnings?"),
    ("fr", "taux de change dollar américain"),
    # A product's error code is technical support, not a reference number of the client's.
    ("en", "Db2 SQL30081N error"), ("fr", "erreur SQL30081N Db2"),
    ("en", "My order from an online store never showed up and the seller won't answer, how do "
           "I get a refund?"),
    ("en", "IBM Think 2027 registration"),
    ("en", "hotel booking Toronto"), ("en", "dispute a charge on my Visa statement"),
    # Templates, driving licences, employment contracts, leases, pay stubs (synonyms.yaml's
    # no_topic): our words around them ("invoice", "renewal", "contract") do not make them ours.
    ("en", "payment terms template for our own customers"), ("fr", "modèle de facture pour mon "
                                                                   "cabinet d'architectes"),
    ("en", "renew class 1 driver's licence Manitoba"), ("en", "driver's licence renewal Nova Scotia"),
    ("fr", "contrat de travail d'un nouvel employé"), ("en", "Ryder truck lease contract expiry"),
    ("fr", "renouvellement du contrat de location de camions Penske"), ("fr", "talon de paie"),
    # A personal parcel, a match's score, an accounting program's how-to, a thing not working.
    ("fr", "suivi de livraison Purolator colis personnel"), ("fr", "résultat du match du Canadien hier soir"),
    ("en", "how to create a credit memo in Sage 50"), ("fr", "mon courriel ne fonctionne pas"),
    ("fr", "formulaire d'inscription fournisseur IBM"),
    # The client invoicing or collecting from its own customers (a no-topic phrase matches no
    # topic, even through the one word its stop words leave: "own customers").
    ("fr", "comment faire une facture pour mes propres clients"),
    ("en", "how to invoice my own customers net 30"), ("en", "collecting from a customer who won't pay us"),
    # A word beside a kind of organisation describes the client, but not in a query this short.
    ("en", "dental clinic appointment"), ("fr", "rendez-vous clinique dentaire"),
    # A place is context: the other words still decide ("UPS" is a courier, not a device).
    ("en", "hotels in Calgary"), ("fr", "météo à Rimouski"), ("en", "Toronto Raptors tickets"),
    ("en", "UPS tracking number"),
    # Another company's bill, the office's errands, other licences, a job's cover letter, a
    # work order, the client's own late-paying customers (round six).
    ("en", "my Rogers bill is too high"), ("en", "book a meeting room"),
    ("fr", "commander des fournitures de bureau chez Bureau en Gros"),
    ("en", "business licence city of Winnipeg"), ("en", "how to write a cover letter"),
    ("en", "How do I create a work order in Maximo?"),
    ("en", "our clients are late paying us what can we do"),
    # ...but a vehicle's serial number (its VIN) for the insurer is still not a machine's.
    ("fr", "Où trouver le numéro de série (NIV) de ma camionnette pour l'assurance ?"),
    # The client's own customers who owe it or dispute its invoices; installing software.
    ("en", "our customers owe us money, which collection agency"),
    ("en", "our customers are disputing our invoices, how do we handle it"),
    ("fr", "nos clients paient pas leurs factures, agence de recouvrement"),
    ("en", "how to install websphere"), ("en", "Newfoundland Power bill too high"),
    ("fr", "licence de camionneur classe 1"), ("fr", "renouvellement du bail de l'entrepôt à Brossard"),
    ("fr", "heures d'ouverture du musée le dimanche"), ("fr", "paiement des taxes municipales du musée"),
    # Software for the client's own stock or invoices; a server that will not start.
    ("en", "inventory software for our warehouse"), ("fr", "logiciel pour faire nos propres factures"),
    ("fr", "serveur démarre plus voyant orange"), ("en", "AIX error 0516-404"),
    # The words of a place's name are context only together ("Medicine Hat"); a pharmacy is no
    # client's organisation beside one word of ours (the museum: above).
    ("en", "medicine refill order"), ("en", "pharmacy hours Sunday"),
    # An error's code is no contract's number; a word the lexicon lists is not "corrected" to
    # one of ours ("canola" is not "canada"); the client's own suppliers.
    ("fr", "erreur SQL -911 dans notre application"), ("en", "canola prices today"),
    ("fr", "contrat avec notre fournisseur de propane au camp"),
    ("fr", "le serveur Power ne redémarre plus après la mise à jour"), ("en", "how to write a resume"),
    ("en", "our trucking clients pay late, how do we charge interest on overdue invoices"),
    # Another maker's contract is not IBM's.
    ("en", "renew Cisco maintenance contract"), ("fr", "renouveler contrat de maintenance Dell"),
    ("en", "dispute a charge on our Bell invoice"), ("en", "ibm shareholder dividend payment date"),
])
def test_out_of_scope_queries_get_no_confident_hit(backend: WhooshBackend, lang: str, q: str) -> None:
    result = backend.search(q, lang)
    assert result.hits == [] and result.total == 0


@pytest.mark.parametrize("lang, q", [
    ("en", "when will my order be delivered"), ("en", "net 30"), ("en", "cancel order"),
    ("fr", "annuler une commande"), ("fr", "carte de crédit"), ("en", "password reset"),
    ("fr", "password reset"), ("fr", "météo Montréal"), ("fr", "je n'ai pas reçu ma facture"),
    ("en", "I need help with my bill"), ("fr", "des questions sur mon compte"),
    ("en", "canola prices today"),
])
def test_words_of_either_language_are_never_corrected(backend: WhooshBackend, lang: str, q: str) -> None:
    assert backend.search(q, lang).suggestion is None


@pytest.mark.parametrize("lang, q, fix, first", [
    ("en", "oder staus delivry", "order status delivery", "order-status delivery-scheduling"),
    ("fr", "livraisson", "livraison", "delivery-scheduling"),
    ("fr", "recherhce numéro sreie", "recherche numéro série", "serial-lookup"),
    ("fr", "recouvremnt", "recouvrement", "accounts-receivable"),
    # The slip may be in the first letter: two first letters swapped.
    ("fr", "assistance en ilgne", "assistance en ligne", "csol-online-support"),
])
def test_typo_queries_that_find_nothing_show_the_corrected_results(
        backend: WhooshBackend, lang: str, q: str, fix: str, first: str) -> None:
    result = backend.search(q, lang)
    assert result.corrected and result.suggestion == fix and result.hits[0].id in first.split()


def test_corrections_are_written_as_people_write_them(backend: WhooshBackend) -> None:
    # Not "commandé" (a rare accented form of the same folded word): the usual spelling.
    assert backend.search("comande", "fr").suggestion == "commande"
    assert backend.search("numero de sreie", "fr").suggestion == "numéro de série"


def test_a_correction_is_offered_only_when_clearly_better(backend: WhooshBackend) -> None:
    # The typed question already answers (its other words find the terms topic): the
    # correction is offered, the typed query's results are shown.
    result = backend.search("our invoice payment terms net 30 questoin", "en")
    assert result.suggestion == "our invoice payment terms net 30 question" and not result.corrected
    assert result.hits[0].id == "payment-methods-and-terms"
    # "staus" is no word at all: "order" alone does not make the typed query answered, so
    # the corrected query's results are shown at once.
    result = backend.search("order staus", "en")
    assert result.suggestion == "order status" and result.corrected
    assert result.hits[0].id == "order-status"
    # A correction that answers no better is not offered at all.
    result = backend.search("invoice payment terms and conditions for net 30 paymnet", "en")
    assert result.suggestion is None and result.hits[0].id == "payment-methods-and-terms"
    # Between two equally near words, the one that fits the rest of the query: not "contact".
    assert backend.search("contarct renewal", "en").suggestion == "contract renewal"


@pytest.mark.parametrize("lang, q", [
    ("fr", "où est ma commande"), ("en", "where is my order"), ("en", "order staus"),
    ("en", "trak my order"), ("fr", "statut de ma commande"),
    ("en", "Is PO 4500918823 in IBM's system yet?"), ("en", "order ETA"),
    ("en", "we ordered three servers a month ago and still nothing, how do I find out where the "
           "order is"),
    ("fr", "Comment savoir si IBM a bien traité notre bon de commande ?"),
])
def test_order_status_phrasings_rank_order_status_first(backend: WhooshBackend, lang: str, q: str) -> None:
    assert backend.search(q, lang).hits[0].id == "order-status"


# Words the topics do not use, mapped to the topic that covers them (synonyms, keywords).
VOCABULARY_GAPS = [
    ("fr", "ajouter notre numéro de PO sur la facture", "invoice-reconciliation-customization"),
    ("fr", "virement bancaire", "payment-methods-and-terms"),
    ("fr", "virement", "payment-methods-and-terms"),
    ("en", "EFT", "payment-methods-and-terms"),
    ("en", "wire transfer", "payment-methods-and-terms"),
    ("fr", "carte de crédit", "payment-methods-and-terms"),
    ("en", "credit memo", "invoice-dispute"),
    ("fr", "note de crédit", "invoice-dispute"),
    ("fr", "heures d'ouverture", "contact-csol"),
    ("en", "s/n", "serial-lookup"),  # two stop-word letters, but a synonym of serial number
    ("en", "net 30", "payment-methods-and-terms"),
    # Issue 15: an invoice's due date is a payment term, not a contract's expiry.
    ("fr", "date d'échéance de ma facture", "payment-methods-and-terms"),
    # Jargon and client wording (round three): statement of account, proof of entitlement.
    ("en", "SOA request", "accounts-receivable"), ("en", "AR aging", "accounts-receivable"),
    ("en", "where do I find the PoE for our IBM software", "software-licensing"),
    ("fr", "facture mensuelle regroupée", "billing-options"),
    ("en", "Passport Advantage licences", "software-licensing"),
    ("en", "licence runs out next month", "contract-renewals"),
    ("en", "double charged", "invoice-dispute"),
    # Round four: trade words and their phrases.
    ("fr", "peut-on payer IBM par virement télégraphique?", "payment-methods-and-terms"),
    ("en", "extended warranty servers", "maintenance-service-contracts"),
    ("fr", "garantie prolongée serveur", "maintenance-service-contracts"),
    ("en", "invoice quantity mismatch", "invoice-dispute"),
    ("en", "modify my order", "order-entry-management"), ("en", "contact CSO", "contact-csol"),
    ("en", "sole proprietor eligible", "who-can-use-cso"),
]
# Questions as clients type them: context, everyday and business words, slips.
QUESTIONS = [
    # Long questions: the help center's words they hold are enough, the rest is context.
    ("fr", "bonjour, j'aimerais savoir si notre commande de serveurs passée le mois dernier a "
           "bien été traitée", "order-status"),
    ("en", "hi there, we moved offices and need the next shipment to go to the new address",
     "delivery-scheduling"),
    ("fr", "allo, notre contrat de maintenance sur les serveurs Power arrive à échéance le mois "
           "prochain, comment on le renouvelle?", "contract-renewals"),
    # Short ones with an everyday word the help center does not use.
    ("en", "talk to a real person", "contact-csol"), ("fr", "parler a un agent", "contact-csol"),
    ("fr", "facture trop élevée", "invoice-dispute"), ("en", "reschedule delivery", "delivery-scheduling"),
    ("en", "billing choices", "billing-options"), ("fr", "suivre mon colis", "order-status"),
    ("fr", "facture personnalisée", "invoice-reconciliation-customization"),
    ("en", "create a case", "submit-service-request"), ("en", "AR", "accounts-receivable"),
    ("fr", "CSOL c'est quoi", "csol-online-support"),  # a word of every topic, asked alone
    # A misspelled stop word says as little as the stop word.
    ("en", "wher is my ordr", "order-status"), ("en", "whos eligable", "who-can-use-cso"),
    ("fr", "plan dassistance", "download-support-plan"),  # an elision without its apostrophe
    ("en", "overcharged on my bil", "invoice-dispute"),  # a fragment too short to tell
    ("fr", "reporter la livraison à la semaine prochaine", "delivery-scheduling"),  # when, not what
    ("en", "match IBM invoices against our POs", "invoice-reconciliation-customization"),
    ("en", "can we pay with a corporate credit card", "payment-methods-and-terms"),
    # A business's own words are its context, not another subject.
    ("en", "reseller access", "who-can-use-cso"),
    ("en", "can a business partner use CSOL", "who-can-use-cso"),  # a partner is a client
    ("fr", "notre fournisseur IBM nous a facturé deux fois", "invoice-dispute"),  # IBM supplies us
    ("en", "transfer a licence to our subsidiary", "software-licensing"),
    ("en", "add more users to our software order", "software-orders"),
    # Words of commerce, receiving and correspondence (lexicon.yaml) are context too.
    ("fr", "réception de marchandise", "delivery-scheduling"),
    ("en", "shipment to multiple locations", "delivery-scheduling"),
    ("fr", "licences liées à notre commande de logiciels", "software-licensing"),
    ("fr", "liste de tous nos équipements IBM", "inventory-records"),
    # ...and so are words that qualify rather than name (lexicon.yaml's context).
    ("fr", "produit discontinué peut-on encore le commander", "order-entry-management"),
    ("en", "unknown server s/n", "serial-lookup"),
    ("en", "monthly vs annual billing", "billing-options"),  # "vs" says nothing
    # French function words are stop words ("entre-temps" is not order entry), and a long
    # question's last words still count ("le lieu de livraison").
    ("fr", "Nos bureaux déménagent le mois prochain et une commande IBM doit arriver "
           "entre-temps, comment changer le lieu de livraison?", "delivery-scheduling"),
    ("fr", "combien je dois à IBM", "accounts-receivable"),  # "dois à" is owing, "dois" alone is must
    # An everyday word of no other subject (lexicon.yaml's neutral) weighs one word.
    ("fr", "liste de tout le matériel IBM qu'on possède", "inventory-records"),
    ("en", "loading dock deliveries mornings only", "delivery-scheduling"),
    # A word of another subject that a topic has in its keywords is that topic's word.
    ("en", "installed products list", "inventory-records"),
    # A number the client quotes is context, not a word from elsewhere.
    ("fr", "S/N de notre AS400", "serial-lookup"),
    ("fr", "prix unitaire erroné", "invoice-dispute"), ("fr", "livraison chantier", "delivery-scheduling"),
    # ...and a situational word is the client's situation in a long question.
    ("en", "I'm a lawyer at a small firm reviewing our service agreement with IBM and need to "
           "know exactly which equipment it includes.", "maintenance-service-contracts"),
    ("fr", "Je suis avocate et je révise une entente : la facture d'entretien dépasse le tarif "
           "prévu au contrat signé avec IBM, comment le contester officiellement?", "invoice-dispute"),
    ("en", "We need a report of every IBM machine and its serial number at our three locations "
           "for insurance purposes", "serial-lookup"),
    # Words of the client's situation (lexicon.yaml's context): a move, a renovation, a leave.
    ("fr", "je remplace une collègue en congé et je dois savoir si la commande qu'elle a passée "
           "en mai est arrivée", "order-status"),
    ("en", "The reno in our server room is running late so we need to push the delivery back a "
           "week or two", "delivery-scheduling"),
    ("en", "drop ship to end customer", "delivery-scheduling"),
    # IBM's products and a client's currency are context (lexicon.yaml).
    ("fr", "obtenir licence SPSS", "software-licensing"),
    ("en", "Has our Power10 server order shipped?", "order-status"),
    ("fr", "Quand expire notre permis d'utilisation Maximo ?", "contract-renewals"),
    ("en", "billing in USD or CAD?", "billing-options"),
    ("en", "Is our tape library still under a service contract?", "maintenance-service-contracts"),
    ("fr", "taxes facturées deux fois sur la même ligne", "invoice-dispute"),
    ("en", "How do we stop a contract from auto-renewing?", "contract-renewals"),
    ("fr", "Combien de temps ai-je pour remettre en question une facture ?", "invoice-dispute"),
    ("en", "We're a small production company with lumpy cash flow between shoots; can an IBM "
           "invoice be paid in instalments over a few months?", "payment-methods-and-terms"),
    ("en", "Our downtown hotel can only take deliveries between 10 p.m. and 6 a.m. because of "
           "the street; can the IBM delivery be arranged for then?", "delivery-scheduling"),
    ("en", "Our food bank volunteers were given donated IBM gear; are charities like ours "
           "covered by this administrative support, or is it only for businesses?", "who-can-use-cso"),
    ("fr", "La livraison doit partir par bateau en juillet vers Inukjuak. Comment on planifie ça "
           "avec IBM?", "delivery-scheduling"),
    # The word beside a kind of organisation describes the client ("dental clinic"), not the subject.
    ("en", "coordinate delivery to 6 dental clinics", "delivery-scheduling"),
    ("fr", "livraison dans nos 4 cliniques dentaires, comment coordonner ça", "delivery-scheduling"),
    ("en", "The ski resort access road closes in April, so we need the equipment delivered before "
           "the 15th; how do we arrange that?", "delivery-scheduling"),  # a kind of organisation
    # A situational word in a short query weighs a word and a half: the GST alone is not ours,
    # a tax on our invoice is.
    ("en", "the HST on invoice 88123 is calculated wrong", "invoice-dispute"),
    # Everyday words for the topics' own ones: franglais, itemized, printable, unpaid.
    ("fr", "shipper le matériel à notre entrepôt de Rouyn", "delivery-scheduling"),
    ("en", "The cinema chain needs each theatre's IBM charges broken out on its own invoice; can "
           "our invoices be set up that way?", "invoice-reconciliation-customization"),
    ("en", "printable CSO plan", "download-support-plan"),
    ("fr", "Combien de jours avons-nous pour acquitter une facture d'IBM ?", "payment-methods-and-terms"),
    ("fr", "Comment obtenir la liste de nos factures impayées chez IBM ?", "accounts-receivable"),
    ("en", "who is this service for", "who-can-use-cso"),
    # Questions made mostly of stop words: what CSO helps with is the overview's.
    ("en", "what can you help me with", "cso-services-overview"),
    ("fr", "avec quoi pouvez-vous m'aider", "cso-services-overview"),
    ("fr", "quels genres de questions vous traitez", "cso-services-overview"),
    ("en", "charged for a period after we returned the equipment", "invoice-dispute"),
    # Chat abbreviations are filler ("pls thx", « pcq »), "sw" is software; what CSOL means.
    ("en", "order status pls thx", "order-status"), ("en", "sw order", "software-orders"),
    ("en", "difference between CSO and CSOL", "csol-online-support"),
    ("fr", "que veut dire CSOL", "csol-online-support"),
    # A serial or model number mixing letters and digits is the client's reference.
    ("en", "partial serial AB12C need the model", "serial-lookup"),
    ("fr", "j'ai juste un numéro de série partiel 78-3A, il me faut le modèle", "serial-lookup"),
    ("fr", "Quel modèle correspond au numéro de série 10-7AB3C ?", "serial-lookup"),
    # Round six: a Canadian place is where the client is; devices and AP/ERP are its context.
    ("en", "deliver to our Whitehorse office instead of the Regina branch", "delivery-scheduling"),
    ("fr", "livraison à notre entrepôt de Rimouski", "delivery-scheduling"),
    ("en", "need to confirm the serial numbers of our storage arrays", "serial-lookup"),
    ("en", "invoice format for our AP system", "invoice-reconciliation-customization"),
    # ...and a delivery's truck, driver and freight elevator, what we owe, a direct line.
    ("en", "set a time for the truck to come", "delivery-scheduling"),
    ("fr", "le livreur doit appeler notre responsable sur place avant d'arriver", "delivery-scheduling"),
    ("en", "the freight elevator has to be booked, who do I coordinate the drop-off with?",
     "delivery-scheduling"),
    ("fr", "combien devons-nous à IBM en ce moment?", "accounts-receivable"),
    ("en", "direct line for IBM's customer operations team", "contact-csol"),
    ("fr", "CSOL vs CSO différence", "csol-online-support"),
    # A topic's phrase says what is asked; the insurer is only why ("serial number" is ours).
    ("en", "insurer wants the serial numbers of our IBM gear", "serial-lookup"),
    ("en", "our accountant wants project codes on IBM invoices", "invoice-reconciliation-customization"),
    ("fr", "Pouvez-vous confirmer le type-modèle exact d'une machine pour notre assureur ?", "serial-lookup"),
    # Round eight: a few letters before a long number are its prefix (a contract's number); in a
    # long question a word from elsewhere is the client's story ("la saison de pêche").
    ("en", "what's included in contract SC-88120", "maintenance-service-contracts"),
    ("fr", "contrat de service no CS-20931 question sur ce qui est inclus", "maintenance-service-contracts"),
    ("fr", "est-ce qu'on peut payer nos factures ibm en deux versements vu que la saison de pêche "
           "commence juste en avril", "payment-methods-and-terms"),
    ("en", "order status PO 4471-OS", "order-status"),
    # Joual filler (« chu », « pantoute »); a museum or an airport is the client's situation.
    ("fr", "chu pas d'accord avec ma facture ibm", "invoice-dispute"),
    ("fr", "est-ce qu'un musée OBNL a droit au service", "who-can-use-cso"),
    ("en", "is the order for the inuvik airport still pending", "order-status"),
    # An everyday word of no topic mistyped is not from elsewhere ("firday"); an email's
    # sign-off and the name after it are who writes, not what is asked.
    ("en", "overcharged on invoice, need it fixed by firday", "invoice-dispute"),
    ("en", "Hi, I'm new in purchasing. What kind of things can I ask you about? Thanks, Jen Olsen, "
           "Prince Rupert", "cso-services-overview"),
    # Animators and hemp are the client's business; « num » is short for « numéro ».
    ("en", "licences for 15 animators", "software-licensing"),
    ("fr", "coop agricole de chanvre, avons-nous droit au service", "who-can-use-cso"),
    ("fr", "num de serie machine", "serial-lookup"),
]


@pytest.mark.parametrize("lang, q, topic", VOCABULARY_GAPS + QUESTIONS)
def test_client_wording_finds_its_topic_in_the_top_3(
        backend: WhooshBackend, lang: str, q: str, topic: str) -> None:
    assert topic in [h.id for h in backend.search(q, lang).hits[:3]]


@pytest.mark.parametrize("lang, q, topic", [
    # A title or keyword of several words in the query names its topic, among equals: a
    # product's availability is order entry's (not inventory's "stock"), in either language.
    ("fr", "disponibilité produit", "order-entry-management"),
    ("en", "product availability", "order-entry-management"),
    ("en", "what does customer support operations do", "cso-services-overview"),
    ("fr", "renouveler la licence annuelle", "contract-renewals"),
    ("en", "electronic invoices instead of paper", "billing-options"),
    ("fr", "peut-on être facturé chaque trimestre?", "billing-options"),
    ("en", "billed for equipment we returned", "invoice-dispute"),
    ("en", "cheque applied to wrong invoices", "accounts-receivable"),
    # IBM as the client's supplier is not the client selling to IBM.
    ("fr", "paiement TEF fournisseur IBM", "payment-methods-and-terms"),
    ("fr", "Je fais la conciliation de fin de mois de notre compte fournisseur IBM et les soldes ne "
           "concordent pas avec nos livres", "accounts-receivable"),
    ("fr", "chèque encaissé mais facture toujours ouverte", "accounts-receivable"),
    # Renewing a maintenance agreement is the renewals topic's, not the agreements' own.
    ("en", "renew maintenance agreement", "contract-renewals"),
    ("fr", "renouveler contrat maintenance", "contract-renewals"),
    ("en", "PO number on invoice", "invoice-reconciliation-customization"),
    # Among the hits kept, the one matching a word the others lack comes first: "suggestion"
    # (only the contact topic's) before "service" (in many titles), "deux fois" before "serveur".
    ("fr", "où envoyer un commentaire ou une suggestion sur le service reçu", "contact-csol"),
    ("fr", "on nous a facturé deux fois le même serveur", "invoice-dispute"),
    ("en", "what's the email address for customer support operations?", "contact-csol"),
    ("en", "software subscription and support renewal", "contract-renewals"),
    # Billed for what was never ordered is a dispute, not the order topics.
    ("en", "invoice shows software we never ordered", "invoice-dispute"),
    ("fr", "la facture mentionne un produit qu'on a jamais commandé", "invoice-dispute"),
    # "The service" asked about is CSO: its hours and feedback are the contact topic's, the
    # right to it who-can-use's (not the service contracts').
    ("fr", "heures d'ouverture du service", "contact-csol"),
    ("en", "send feedback about your service", "contact-csol"),
    ("fr", "ai-je droit au service", "who-can-use-cso"),
    # Siblings told apart: an order placed and still not here is its status; a line added to
    # it is order entry; invoices by e-mail are a billing option; an order through the form.
    ("en", "order placed 3 weeks ago still not here", "order-status"),
    ("fr", "faire un follow-up sur une commande", "order-status"),
    ("en", "add a line item to an existing order", "order-entry-management"),
    ("fr", "ajouter un article à notre commande", "order-entry-management"),
    ("fr", "recevoir les factures par courriel", "billing-options"),
    ("en", "Can I place an order through the request form?", "order-entry-management"),
    # A licence's renewal or end is the renewals topic's; a collections call is the account's.
    ("en", "software licence renewal", "contract-renewals"),
    ("fr", "quand expire notre licence", "contract-renewals"),
    ("fr", "renouvellement de licence logiciel", "contract-renewals"),
    ("en", "got a collections call from IBM", "accounts-receivable"),
    # Billed for a period not owed is a dispute, not the contract it was billed under.
    ("fr", "on a été chargé pour une période où le contrat était annulé", "invoice-dispute"),
    ("en", "IBM invoiced us for a service period after the contract ended", "invoice-dispute"),
    # What can be done online "without calling" is the online service's, not the phone's.
    ("en", "what can I do online without calling", "csol-online-support"),
    # A liftgate is a delivery's; a hotel or a smelter beside it is the client.
    ("en", "we need a liftgate delivery, no loading dock at the site", "delivery-scheduling"),
    ("en", "coordinate delivery to smelter in Saguenay", "delivery-scheduling"),
    # ERP screens: a field name and its value, « cde » for an order, N30 for net 30.
    ("en", "PO_STATUS: OPEN - NOT RECEIVED", "order-status"),
    ("fr", "ETAT_CDE = EN ATTENTE depuis 14 jours", "order-status"),
    ("fr", "CONDITIONS_PAIEMENT: N30 fournisseur IBM CANADA LTEE", "payment-methods-and-terms"),
    # A time of day is the client's ("7am-3pm", « entre 7h et 15h »); a museum is the client.
    ("en", "deliver to loading dock 7am-3pm only", "delivery-scheduling"),
    ("fr", "livraison au quai de chargement entre 7h et 15h seulement", "delivery-scheduling"),
    ("fr", "on a juste un bout du numéro de série", "serial-lookup"),
    ("fr", "livraison au musée par la porte des oeuvres, faut prendre rendez-vous", "delivery-scheduling"),
    # A place of several words is where the client is, however common its words elsewhere.
    ("en", "check on the hardware order for our Medicine Hat control room", "order-status"),
    ("fr", "livraison à Rivière-du-Loup", "delivery-scheduling"),
    # A date is the client's: a day written as an ordinal (« 1er », "20th"), a month's short form.
    ("fr", "contrat échu depuis le 1er novembre, que faire", "contract-renewals"),
    ("en", "we can't receive anything between Dec 20 and Jan 5", "delivery-scheduling"),
    # A kind of organisation beside two words that say what is asked is the client (a co-op
    # too, though the hyphen makes it two words).
    ("en", "software purchase for the co-op", "software-orders"),
    ("en", "need 25 more licence seats for our studio", "software-licensing"),
    ("fr", "inventaire du matériel IBM à la papetière", "inventory-records"),
    # CSO's name in full is CSO: the rest of the question says which topic.
    ("fr", "comment joindre le soutien des opérations clientèle", "contact-csol"),
])
def test_a_query_naming_a_topic_or_a_word_only_it_has_ranks_it_first(
        backend: WhooshBackend, lang: str, q: str, topic: str) -> None:
    assert backend.search(q, lang).hits[0].id == topic


def test_phrases_are_looked_up_by_their_stems_and_unknown_ones_name_nothing(backend: WhooshBackend) -> None:
    ix = backend.handle.current()
    with ix.searching("fr") as searcher:
        named = ix.named_by(searcher, "fr", "disponibilit produit")
        assert {searcher.stored_fields(d)["id"] for d in named} == {"order-entry-management"}
        assert ix.named_by(searcher, "fr", "pizza livraison") == frozenset()


def test_runs_holding_a_word_of_no_phrase_are_not_looked_up(backend: WhooshBackend) -> None:
    # Typed nonsense costs no lookup and fills no memory: only runs of phrase words are sought.
    ix = backend.handle.current()
    hits = backend.search("disponibilité des produits commande zorblat7 livraison facture contrat",
                          "fr").hits
    assert hits[0].id == "order-entry-management"
    assert ix._named and not [key for key in ix._named if "zorblat7" in key[1]]


def test_a_doubled_letter_slip_is_corrected(backend: WhooshBackend) -> None:
    result = backend.search("facture eronnée", "fr")
    assert result.corrected and result.suggestion == "facture erronée"
    assert result.hits[0].id == "invoice-dispute"


def test_a_misspelled_word_is_no_form_of_a_known_one(backend: WhooshBackend) -> None:
    # "delivry" is a typo of "delivery", not context: the corrected results come first.
    result = backend.search("delivry date", "en")
    assert result.corrected and result.suggestion == "delivery date"
    assert result.hits[0].id == "delivery-scheduling"


def test_groups_no_topic_is_about_are_marked_as_such(backend: WhooshBackend) -> None:
    ix = backend.handle.current()
    concepts = concepts_of(plain_words("panne de serveur"), ix.synonyms, ix.no_topic)
    assert [c.no_topic for c in concepts if c.words != ("de",)] == [True, False]  # "panne": no_topic
    (invoice,) = concepts_of(plain_words("facture"), ix.synonyms, ix.no_topic)
    assert not invoice.no_topic and ("invoice",) in invoice.alternatives


def test_personnel_is_staff_not_an_individual(backend: WhooshBackend) -> None:
    ix = backend.handle.current()
    (concept,) = concepts_of(plain_words("personnel"), ix.synonyms)
    assert ("particulier",) not in concept.alternatives
    (concept,) = concepts_of(plain_words("échéance"), ix.synonyms)
    assert ("expiry",) not in concept.alternatives


def test_an_equivalent_phrase_reduced_to_one_word_by_its_stop_words_is_not_sought(
        backend: WhooshBackend) -> None:
    # "eligible" has "who is this service for" among its equivalents: sought, it would be
    # "service" alone, and every topic titled "service" would match eligibility.
    ix = backend.handle.current()
    concepts = concepts_of(plain_words("eligible"), ix.synonyms)
    assert ("who", "is", "this", "service", "for") in concepts[0].alternatives
    _clauses, _marks, (need,) = whoosh_query(concepts, "en")
    assert need.probes and all(p.terms != ("servic",) for p in need.probes)
    # The phrase typed is still sought: it is what the client wrote.
    (_c, _m, (typed,)) = whoosh_query(concepts_of(plain_words("who is this service for"), ix.synonyms), "en")
    assert any(p.terms == ("servic",) for p in typed.probes)
    assert backend.search("who is eligible for CSO", "en").hits[0].id == "who-can-use-cso"


@pytest.mark.parametrize("lang, q", [("fr", "comment payer"), ("fr", "montant facture incorrect"),
                                     ("en", "invoice"), ("fr", "commande")])
def test_the_tail_is_trimmed(backend: WhooshBackend, lang: str, q: str) -> None:
    result = backend.search(q, lang, limit=20)
    assert 1 <= result.total == len(result.hits) <= 6


def test_the_first_three_hits_past_the_bar_are_kept_whatever_the_tail() -> None:
    # The third covers much less than the best and scores a tenth of it: a client still sees it.
    scored = [(1, 100.0, 1.0, True, 0.0), (2, 90.0, 0.9, True, 0.0), (3, 10.0, 0.35, True, 0.0),
              (4, 9.0, 0.34, True, 0.0), (5, 50.0, 0.2, True, 0.0)]
    assert [d for d, _, _ in confident(scored, [])] == [1, 2, 3]


@pytest.mark.parametrize("lang, q", [
    ("en", "oder staus delivry"), ("en", "staus"), ("en", "delivry"), ("fr", "commande"),
    ("fr", "où est ma commande"), ("en", "payment terms"), ("fr", "comande en retard"),
])
def test_type_ahead_first_suggestion_is_the_first_result(backend: WhooshBackend, lang: str, q: str) -> None:
    suggestions = backend.suggest(q, lang)
    hits = backend.search(q, lang).hits
    assert suggestions and hits and suggestions[0]["id"] == hits[0].id


def test_type_ahead_completes_an_unfinished_word_with_confidence(backend: WhooshBackend) -> None:
    assert backend.suggest("livr", "fr")[0]["id"] == "delivery-scheduling"
    assert backend.suggest("nhl playoff sched", "en") == []


def test_eval_scores_out_of_scope_and_suggestions(backend: WhooshBackend, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("""queries:
  - {lang: en, q: "nhl playoff schedule", expect: []}
  - {lang: en, q: "order status", expect: [order-status], fix: null}
  - {lang: en, q: "oder staus", expect: [order-status], fix: "order status"}
  - {lang: en, q: "paymnet", expect: [payment-methods-and-terms]}
  - {lang: en, q: "contract", expect: [order-status]}
""", "utf-8")
    evaluation = evaluate(backend, load_queries(path))
    assert evaluation.no_confident_hit == 1.0
    assert len(evaluation.answerable) == 4 and evaluation.recall(1) == 0.75
    assert [j.suggestion_ok for j in evaluation.shown] == [True, True]
    assert len(evaluation.spelled_right) == 1 and len(evaluation.misspelled) == 1
    text = report(evaluation, "q.yaml")
    assert "out of scope: 100.0% with no confident hit" in text
    assert "suggestions: 2 shown, 2 correct (100.0%)" in text
    assert "0 suggestion(s) on 1 correctly spelled; 1/1 misspelled helped" in text
    assert "miss [en] 'contract'" in text


def test_eval_rejects_an_expect_that_is_not_a_list(built_project: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("queries:\n  - {lang: fr, q: facture, expect: billing-options}\n", "utf-8")
    assert main(["eval", str(bad), "--root", str(built_project)]) == 1
    assert "expect must be a list" in capsys.readouterr().err


@pytest.mark.parametrize("lang, q, fix", [
    ("fr", "disponiblité d'un produit", "disponibilité d'un produit"),  # the elision stays
    ("fr", "plan dassistance", "plan d'assistance"),  # and comes back when typed without '
    ("fr", "numero de sreie", "numéro de série"),  # words as people write them
    ("en", "customer's acount", "customer's account"),
])
def test_a_suggestion_keeps_the_query_as_typed_around_its_corrections(
        backend: WhooshBackend, lang: str, q: str, fix: str) -> None:
    assert backend.search(q, lang).suggestion == fix
