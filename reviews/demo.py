"""Demo magazine pieces, added when `manage.py load_demo` has loaded the demo catalogue."""

from django.contrib.auth import get_user_model
from django.db import transaction

from catalogue.models import Film, Release
from reviews import services
from reviews.models import Author, Feature, FeatureEntry, Review, ReviewVideo

REVIEW_SLUG = "drive-cliff-martinez-score-review"
FEATURE_SLUG = "six-soundtracks-we-keep-coming-back-to"

REVIEW_BODY = """\
Nicolas Winding Refn's *Drive* follows a nameless stunt driver who works nights behind the wheel \
for whoever pays, and Cliff Martinez gave him a score that sounds like the city at three in the \
morning: sodium light, empty freeways, an engine ticking as it cools.

## Two records in one sleeve

The album splits cleanly in two. First come five songs Refn had chosen before any score was \
written, a short mixtape that sets the film's mood; [[track:A1]] by Kavinsky and Lovefoxxx rides \
under the opening titles, and [[A Real Hero]] by College with Electric Youth has become the \
film's unofficial anthem. Then the score proper begins, and the temperature drops.

## Glass, steel and old synthesisers

Martinez built his cues from software copies of early-1980s synthesisers, and the debt to \
Kraftwerk and Tangerine Dream is worn openly. The surprise is the cristal baschet, an acoustic \
instrument of glass rods played with wet fingers, whose ringing tone gives the love theme, \
[[I Drive]], its fairy-tale innocence.

As the story turns violent the music hardens with it. [[Kick Your Teeth]] gallops on a \
restless pulse; [[track:C1]] stacks layer on layer until [[See You in Four]] tears the texture \
into distortion. [[On the Beach]] is the strangest thing here, all clank and hiss, and \
[[Bride of Deluxe]] gathers every idea of the score into the closing credits.

## Verdict

Few scores of the last twenty years have been imitated as widely, and few deserve it as much. \
Put side C on late at night and drive somewhere, or nowhere.
"""

FEATURE_INTRO = """\
A great soundtrack can outlive the film it was made for. These six have followed us from the \
cinema to the turntable, in no particular order, though we could not resist starting with the \
one on hot pink vinyl.
"""

# (film title, year, heading, text) in the order the feature lists them.
FEATURE_ENTRIES = [
    (
        "Drive",
        2011,
        "Drive: neon after midnight",
        "Cliff Martinez's synthesiser score and a handful of songs chosen by the director make "
        "one of the most copied sounds of its decade. [[Nightcall]] by Kavinsky and Lovefoxxx "
        "alone is reason enough to own it.",
    ),
    (
        "Trainspotting",
        1996,
        "Trainspotting: the nineties in a single record",
        "Underworld's *Born Slippy .NOTHING* defined the rave years, yet the songs that stay "
        "with the film are older: Iggy Pop's *Lust for Life* over the opening sprint, and Lou "
        "Reed's *Perfect Day* in its darkest scene.",
    ),
    (
        "Velvet Goldmine",
        1998,
        "Velvet Goldmine: glitter and feedback",
        "Todd Haynes' tribute to glam rock is messy and generous. Bowie kept his songs back, so "
        "new pieces were written in his image, alongside Roxy Music, T. Rex and Steve Harley, "
        "some covered by players from Radiohead, Suede and Sonic Youth.",
    ),
    (
        "Juno",
        2007,
        "Juno: lo-fi and unguarded",
        "Most of the songs are Kimya Dawson's, of The Moldy Peaches, and their scratchy anti-folk "
        "charm suits the film exactly, right up to the closing duet of *Anyone Else but You*.",
    ),
    (
        "There Will Be Blood",
        2007,
        "There Will Be Blood: strings under pressure",
        "Jonny Greenwood's score for Paul Thomas Anderson was ruled out of the Academy Awards "
        "because it drew on music he had written before. It remains one of the most unsettling "
        "scores of its century.",
    ),
    (
        "Manhattan",
        1979,
        "Manhattan: Gershwin over the skyline",
        "Woody Allen opens on the city in black and white while *Rhapsody in Blue* swells "
        "underneath: as perfect a match of picture and music as cinema has.",
    ),
]


def demo_author():
    user, created = get_user_model().objects.get_or_create(
        username="magazine-demo", defaults={"is_staff": True, "email": "magazine@needledrop.test"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    author, _ = Author.objects.get_or_create(user=user, defaults={"display_name": "Róisín Kerr"})
    return author


def release_of_film(title):
    return Release.objects.published().filter(film__title__iexact=title).order_by("id").first()


@transaction.atomic
def create_demo_review(author):
    if Review.objects.filter(slug=REVIEW_SLUG).exists():
        return None
    review = Review.objects.create(
        slug=REVIEW_SLUG,
        headline="Drive: a retro-futurist score that still owns the night",
        standfirst="Cliff Martinez's glassy synthesiser score, a decade on, still sounds like "
        "tomorrow as imagined in 1983.",
        body=REVIEW_BODY,
        pull_quote="A score that sounds like the city at three in the morning.",
    )
    review.authors.add(author)
    release = release_of_film("Drive")
    if release:
        review.releases.add(release)
    ReviewVideo.objects.create(
        review=review,
        video_url="https://www.youtube.com/watch?v=bSdvSXJblzk",
        video_provider="youtube",
        video_id="bSdvSXJblzk",
        caption="The full soundtrack.",
    )
    services.render_review(review=review)
    services.publish_piece(piece=review)
    return review


@transaction.atomic
def create_demo_feature(author):
    if Feature.objects.filter(slug=FEATURE_SLUG).exists():
        return None
    feature = Feature.objects.create(
        slug=FEATURE_SLUG,
        headline="Six soundtracks we keep coming back to",
        standfirst="From Drive's neon to Gershwin over Manhattan: the records that outlived "
        "their films.",
        intro=FEATURE_INTRO,
    )
    feature.authors.add(author)
    for order, (title, year, heading, text) in enumerate(FEATURE_ENTRIES, start=1):
        release = release_of_film(title)
        film = None if release else Film.objects.filter(title__iexact=title).first()
        FeatureEntry.objects.create(
            feature=feature,
            order=order,
            release=release,
            film=film,
            title="" if release or film else f"{title} ({year})",
            heading=heading,
            text=text,
        )
    services.render_feature(feature=feature)
    services.publish_piece(piece=feature)
    return feature


def load_demo_pieces(sender=None, stdout=None, **kwargs):
    """Receiver of catalogue.signals.demo_loaded: one review and one list feature. Idempotent."""
    author = demo_author()
    created = [p for p in (create_demo_review(author), create_demo_feature(author)) if p]
    if stdout is not None:
        stdout.write(f"Magazine: {len(created)} demo piece(s) added.")
